import { connectQuery } from "../routes/notifications";
import { MAX_SOCKETS, RETAINED_EVENTS } from "../realtime/events";
import { Detail } from "./responses";
import type { ApiRoute } from "./route";

const connect = `Open with \`Upgrade: websocket\`; a plain HTTP request gets 426.

**Authentication** (checked before any socket exists; missing or bad: 401): either \`?token=<access token>\`,
or the subprotocol pair \`Sec-WebSocket-Protocol: bearer, <access token>\` (answered with subprotocol \`bearer\`).

**Messages** (JSON text frames; schemas \`Ws*\` under components):
- on connect: \`{"type": "connection_established", "message": "Connected to order notifications"}\`
- \`order_update\`: \`{"type", "order_id", "status", "message", "seq", "at"}\`
- after a \`since\` older than the kept history: \`{"type": "replay_truncated", "oldest_seq", "message"}\`
- anything the client sends other than \`"ping"\` is answered \`{"type": "error", ...}\`; \`"ping"\` is answered \`"pong"\`.

**Replay**: \`seq\` increases per subscriber hub. Reconnect with \`?since=<last seq seen>\` to receive every kept event after it,
in order, before live ones (the last ${RETAINED_EVENTS} events are kept).`;

const common = {
  tag: "notifications",
  access: "anyone",
  query: connectQuery,
  params: {
    token: "Access token (or use the subprotocol pair instead)",
    since: "Replay every kept event after this `seq` before live ones",
  },
  errors: [401, 426],
  responses: { 429: { description: `The hub already holds ${MAX_SOCKETS} sockets`, schema: Detail } },
  ok: { status: 101, description: "Switching Protocols: the WebSocket is open", schema: null },
} satisfies Partial<ApiRoute>;

export const realtimePaths: ApiRoute[] = [
  {
    ...common,
    method: "get",
    path: "/ws/orders/notifications",
    summary: "WebSocket: your order notifications",
    description: `Each of your orders placed or changing status sends \`order_update\` to every socket of yours, and only yours.\n\n${connect}`,
  },
  {
    ...common,
    method: "get",
    path: "/ws/admin/orders",
    summary: "WebSocket: every user's order events (staff)",
    description: `Staff only (others get 403). Sends \`order_created\` and \`order_update\` for all users, with \`user_id\`.\n\n${connect}`,
    errors: [401, 403, 426],
  },
];
