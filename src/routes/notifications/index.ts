import type { Context, MiddlewareHandler } from "hono";
import { Hono } from "hono";
import * as z from "zod";
import { MAX_SOCKETS } from "../../config";
import type { AppEnv } from "../../context";
import { ApiError, notAuthenticated } from "../../lib/errors";
import { validate } from "../../lib/validate";
import { authorized, verifySession } from "../../middleware/auth";
import { accessDoc, doc, documents } from "../../openapi/describe";
import { Detail } from "../../openapi/schemas";
import { RETAINED_EVENTS, staffHubName, userHubName } from "../../realtime/events";

export const connectQuery = z.object({
  token: z.string().max(4096).optional().meta({ description: "Access token (or use the subprotocol pair instead)" }),
  since: z.coerce
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .meta({ description: "Replay every kept event after this `seq` before live ones" }),
});

const bearerProtocol = (c: Context<AppEnv>) => {
  const protocols = (c.req.header("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  return protocols[0] === "bearer" ? protocols[1] : undefined;
};

/**
 * A WebSocket upgrade's access guard: `?token=` or the subprotocol pair `["bearer", token]`,
 * checked before any socket exists; sets `c.var.user`.
 */
function socketAccess(access: "user" | "staff"): MiddlewareHandler<AppEnv> {
  return documents<MiddlewareHandler<AppEnv>>(async (c, next) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, { detail: "Expected a WebSocket upgrade." }, { Upgrade: "websocket" });
    }
    const token = c.req.query("token") ?? bearerProtocol(c);
    if (!token) throw notAuthenticated();
    await verifySession(c, token, access === "staff");
    // The upgrade's only round trip: the session check itself (403 there for a customer on the staff feed).
    await authorized(c);
    await next();
  }, accessDoc(access));
}

/** Hands the upgrade to the hub with only what the Worker verified. */
async function forward(c: Context<AppEnv>, hubName: string, audience: "user" | "staff", since: number | undefined) {
  const user = c.var.user;
  const headers = new Headers(c.req.raw.headers);
  // The hub trusts its x-hub-* headers: the client's own never get through.
  for (const name of [...headers.keys()]) if (name.startsWith("x-hub-")) headers.delete(name);
  headers.set("x-hub-audience", audience);
  // Who is listening, so the hub can close this socket when that user or session loses the right.
  headers.set("x-hub-user", String(user.id));
  if (user.family) headers.set("x-hub-family", user.family);
  headers.set("x-hub-max-sockets", String(c.var.config.WS_MAX_SOCKETS));
  if (since !== undefined) headers.set("x-hub-since", String(since));
  if (c.req.query("token") === undefined && bearerProtocol(c)) headers.set("x-hub-bearer", "1");
  const stub = c.env.USER_HUB.get(c.env.USER_HUB.idFromName(hubName));
  const res = await stub.fetch(new Request(c.req.url, { headers }));
  // A refusal (429 when the hub is full) comes with immutable headers: copy it so the app's
  // middleware can add its own (X-Request-Id), as on any other answer. A 101 must pass as is.
  return res.status === 101 ? res : new Response(res.body, res);
}

const connect = `Open with \`Upgrade: websocket\`; a plain HTTP request gets 426.

**Authentication** (checked before any socket exists; missing or bad: 401): either \`?token=<access token>\`,
or the subprotocol pair \`Sec-WebSocket-Protocol: bearer, <access token>\` (answered with subprotocol \`bearer\`).

**Messages** (JSON text frames; schemas \`Ws*\` under components):
- on connect: \`{"type": "connection_established", "message": "Connected to order notifications"}\`
- \`order_update\`: \`{"type", "order_id", "status", "message", "seq", "at"}\`
- after a \`since\` older than the kept history: \`{"type": "replay_truncated", "oldest_seq", "message"}\`
- anything the client sends other than \`"ping"\` is answered \`{"type": "error", ...}\`; \`"ping"\` is answered \`"pong"\`.

**Replay**: \`seq\` increases per subscriber hub. Reconnect with \`?since=<last seq seen>\` to receive every kept event after it,
in order, before live ones (the last ${RETAINED_EVENTS} events are kept).

**Rights**: a socket lives as long as its user's rights and session do; once the user is deactivated (or, on the staff feed,
no longer staff) or the session is logged out, the socket is closed with code 4403 before any further event.`;

const socketDoc = (summary: string, description: string) =>
  doc({
    tag: "notifications",
    summary,
    description: `${description}\n\n${connect}`,
    errors: [426],
    ok: { status: 101, description: "Switching Protocols: the WebSocket is open" },
    responses: {
      429: { description: `The hub already holds ${MAX_SOCKETS} sockets (\`WS_MAX_SOCKETS\`)`, schema: Detail },
    },
  });

const notifications = new Hono<AppEnv>()
  .get(
    "/orders/notifications",
    socketDoc(
      "WebSocket: your order notifications",
      "Each of your orders placed or changing status sends `order_update` to every socket of yours, and only yours.",
    ),
    validate("query", connectQuery),
    socketAccess("user"),
    async (c) => forward(c, userHubName(c.var.user.hubKey), "user", c.req.valid("query").since),
  )
  .get(
    "/admin/orders",
    socketDoc(
      "WebSocket: every user's order events (staff)",
      "Staff only (others get 403). Sends `order_created` and `order_update` for all users, with `user_id`, and `webhook_disabled` when an endpoint failing for a day is turned off.",
    ),
    validate("query", connectQuery),
    socketAccess("staff"),
    async (c) => forward(c, staffHubName(c.var.config.DATABASE_TAG), "staff", c.req.valid("query").since),
  );

export default notifications;
