import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { AppEnv } from "./context";
import { notAllowed, notFound } from "./lib/errors";
import { onError } from "./lib/on-error";
import { requestContext } from "./middleware/request-context";
import { corsPolicy, securityHeaders } from "./middleware/security";
import { services } from "./middleware/services";
import { docsRoutes } from "./openapi";
import admin from "./routes/admin";
import auth from "./routes/auth";
import health from "./routes/health";
import notifications from "./routes/notifications";
import orders from "./routes/orders";
import products from "./routes/products";
import root from "./routes/root";
import webhooks from "./routes/webhooks";

const MAX_BODY_BYTES = 64 * 1024;

const app = new Hono<AppEnv>({ strict: false });

app.use(requestContext());
// DRF's 405, with the Allow header, for a known path called with another method.
app.use(methodNotAllowed({ app, onMethodNotAllowed: (c, methods) => notAllowed(c, methods) }));
app.use(securityHeaders());
// Before the body limit and the routes, so a preflight is answered whatever the path.
app.use("/api/*", corsPolicy());
app.use(bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ detail: "Request body too large." }, 413) }));
// Registered before `services` so the root and the docs answer without opening anything.
app.route("/api", root);
app.route("/api", docsRoutes(app));
app.use("/api/*", services());
app.use("/ws/*", services());

// Chained so `AppType` carries every route for `hono/client`.
const routes = app
  .route("/api", health)
  .route("/api/auth", auth)
  .route("/api/products", products)
  .route("/api/orders", orders)
  .route("/api/admin/webhooks", webhooks)
  .route("/api/admin", admin)
  .route("/ws", notifications);

// Answered, not thrown: the method-not-allowed middleware turns a 404 into a 405 only when nothing failed.
app.notFound((c) => c.json(notFound().body, 404));
app.onError(onError);

export type AppType = typeof routes;
export default app;
