import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./env";
import { allowedMethods } from "./lib/allowed-methods";
import { methodNotAllowed, notFound } from "./lib/errors";
import { onError } from "./lib/on-error";
import { requestContext } from "./middleware/request-context";
import { corsPolicy, securityHeaders } from "./middleware/security";
import { services } from "./middleware/services";
import openapi from "./openapi";
import admin from "./routes/admin";
import auth from "./routes/auth";
import health from "./routes/health";
import notifications from "./routes/notifications";
import orders from "./routes/orders";
import products from "./routes/products";
import root from "./routes/root";

const MAX_BODY_BYTES = 64 * 1024;

const app = new Hono<AppEnv>({ strict: false });

app.use(requestContext());
app.use(securityHeaders());
// Before the body limit and the routes, so a preflight is answered whatever the path.
app.use("/api/*", corsPolicy());
app.use(bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ detail: "Request body too large." }, 413) }));
// Registered before `services` so the root and the docs answer without opening anything.
app.route("/api", root);
app.route("/api", openapi);
app.use("/api/*", services());
app.use("/ws/*", services());

// Chained so `AppType` carries every route for `hono/client`.
const routes = app
  .route("/api", health)
  .route("/api/auth", auth)
  .route("/api/products", products)
  .route("/api/orders", orders)
  .route("/api/admin", admin)
  .route("/ws", notifications);

app.notFound((c) => {
  if (allowedMethods(app.routes, c.req.path).length) throw methodNotAllowed(c.req.method);
  throw notFound();
});
app.onError(onError);

export type AppType = typeof routes;
export default app;
