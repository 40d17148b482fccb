import { Hono } from "hono";
import type { Context } from "hono";
import * as z from "zod";
import type { AppEnv } from "../../env";
import { ApiError, forbidden, notAuthenticated } from "../../lib/errors";
import { validate } from "../../lib/validate";
import { authenticateToken } from "../../middleware/auth";
import type { AuthUser } from "../../env";
import { staffHubName, userHubName } from "../../realtime/events";

export const connectQuery = z.object({
  token: z.string().max(4096).optional(),
  since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** `?token=` or the subprotocol pair `["bearer", token]`, checked before any socket exists. */
async function subscriber(c: Context<AppEnv>, queryToken: string | undefined) {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, { detail: "Expected a WebSocket upgrade." }, { Upgrade: "websocket" });
  }
  const protocols = (c.req.header("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  const viaProtocol = protocols[0] === "bearer" ? protocols[1] : undefined;
  const token = queryToken ?? viaProtocol;
  if (!token) throw notAuthenticated();
  const user = await authenticateToken(c, token);
  return { user, bearer: viaProtocol !== undefined && queryToken === undefined };
}

/** Hands the upgrade to the hub with only what the Worker verified. */
async function forward(c: Context<AppEnv>, hubName: string, audience: "user" | "staff", user: AuthUser, since: number | undefined, bearer: boolean) {
  const headers = new Headers(c.req.raw.headers);
  // The hub trusts its x-hub-* headers: the client's own never get through.
  for (const name of [...headers.keys()]) if (name.startsWith("x-hub-")) headers.delete(name);
  headers.set("x-hub-audience", audience);
  // Who is listening, so the hub can close this socket when that user or session loses the right.
  headers.set("x-hub-user", String(user.id));
  if (user.family) headers.set("x-hub-family", user.family);
  headers.set("x-hub-max-sockets", String(c.var.config.WS_MAX_SOCKETS));
  if (since !== undefined) headers.set("x-hub-since", String(since));
  if (bearer) headers.set("x-hub-bearer", "1");
  const stub = c.env.USER_HUB.get(c.env.USER_HUB.idFromName(hubName));
  const res = await stub.fetch(new Request(c.req.url, { headers }));
  // A refusal (429 when the hub is full) comes with immutable headers: copy it so the app's
  // middleware can add its own (X-Request-Id), as on any other answer. A 101 must pass as is.
  return res.status === 101 ? res : new Response(res.body, res);
}

const notifications = new Hono<AppEnv>()
  .get("/orders/notifications", validate("query", connectQuery), async (c) => {
    const { token, since } = c.req.valid("query");
    const { user, bearer } = await subscriber(c, token);
    return forward(c, userHubName(user.hubKey), "user", user, since, bearer);
  })
  .get("/admin/orders", validate("query", connectQuery), async (c) => {
    const { token, since } = c.req.valid("query");
    const { user, bearer } = await subscriber(c, token);
    if (!user.isStaff) throw forbidden();
    return forward(c, staffHubName(c.var.config.DATABASE_TAG), "staff", user, since, bearer);
  });

export default notifications;
