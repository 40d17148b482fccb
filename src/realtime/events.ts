import * as z from "zod";
import { MAX_SOCKETS } from "../config";
import { ORDER_STATUSES } from "../db/schema";
import { id, timestamp } from "../openapi/schemas";

/** What the Worker hands a hub: one outbox row. Validated again inside the object. */
export const hubEventSchema = z.object({
  eventId: z.number().int().positive(),
  type: z.enum(["order_created", "order_update"]),
  orderId: z.number().int().positive(),
  userId: z.number().int().positive(),
  status: z.enum(ORDER_STATUSES),
  at: z.string(),
});

export type HubEvent = z.infer<typeof hubEventSchema>;

const hubConnectSchema = z.object({
  audience: z.enum(["user", "staff"]),
  userId: z.coerce.number().int().positive(),
  family: z.uuid().optional(),
  since: z.coerce.number().int().min(0).optional(),
  bearer: z.enum(["1"]).optional(),
  maxSockets: z.coerce.number().int().positive().default(MAX_SOCKETS),
});

export type HubConnect = z.infer<typeof hubConnectSchema>;

/**
 * Who a socket is for, from the X-Hub-* headers the notification routes set once they authorized
 * it (a client's own are removed first); null when they are not the route's.
 */
export function hubConnect(headers: Headers): HubConnect | null {
  const parsed = hubConnectSchema.safeParse({
    audience: headers.get("x-hub-audience"),
    userId: headers.get("x-hub-user"),
    family: headers.get("x-hub-family") ?? undefined,
    since: headers.get("x-hub-since") ?? undefined,
    bearer: headers.get("x-hub-bearer") ?? undefined,
    maxSockets: headers.get("x-hub-max-sockets") ?? undefined,
  });
  return parsed.success ? parsed.data : null;
}

/**
 * Who may still hear a hub's events, as the database saw it in the statement that wrote or read
 * them: the active users of that audience and their live sessions (token families). A socket
 * whose user or session is not listed is closed before anything is sent.
 */
export const listenersSchema = z.object({
  users: z.array(z.number().int().positive()),
  sessions: z.array(z.string()),
});

export type Listeners = z.infer<typeof listenersSchema>;

/** Every hub keeps this many recent events for `?since=` replay. */
export const RETAINED_EVENTS = 1000;

/** Clients only ever need to send "ping"; a larger message closes that socket (1009). */
export const MAX_CLIENT_MESSAGE = 1024;
/** A user's hub is named by their random `hub_key`, never by their id, which a reset database hands out again. */
export const userHubName = (hubKey: string) => `user:${hubKey}`;
/** The staff feed of one database (see src/lib/namespace.ts); no user's hub can take the name. */
export const staffHubName = (databaseTag: string) => `staff:${databaseTag}`;
/** Close code for a socket whose user lost the right to it (deactivated, demoted, logged out). */
export const ACCESS_REVOKED = 4403;

/* What a subscriber receives, as JSON text frames (documented on the notification routes). */
const status = z.enum(ORDER_STATUSES);
const event = { order_id: id, status, message: z.string(), seq: z.int().positive(), at: timestamp };
export const WsConnectionEstablished = z
  .object({ type: z.literal("connection_established"), message: z.string() })
  .meta({ id: "WsConnectionEstablished" });
export const WsOrderUpdate = z
  .object({ type: z.literal("order_update"), ...event, user_id: id.optional() })
  .meta({ id: "WsOrderUpdate" });
export const WsOrderCreated = z
  .object({ type: z.literal("order_created"), ...event, user_id: id })
  .meta({ id: "WsOrderCreated" });
export const WsReplayTruncated = z
  .object({ type: z.literal("replay_truncated"), oldest_seq: z.int().nonnegative(), message: z.string() })
  .meta({ id: "WsReplayTruncated" });
export const WsError = z
  .object({ type: z.literal("error"), message: z.string(), received: z.string() })
  .meta({ id: "WsError" });
/** What the Worker hands the staff hub besides order events (UserHub.announce). */
export const staffNoticeSchema = z.object({
  type: z.literal("webhook_disabled"),
  endpoint_id: z.number().int().positive(),
  url: z.string(),
  message: z.string(),
});
export type StaffNotice = z.infer<typeof staffNoticeSchema>;
export const WsWebhookDisabled = staffNoticeSchema
  .extend({ endpoint_id: id, seq: z.int().positive(), at: timestamp })
  .meta({
    id: "WsWebhookDisabled",
    description: "Staff feed only: a webhook endpoint failing for a day was disabled.",
  });
export const socketMessages = [
  WsConnectionEstablished,
  WsOrderUpdate,
  WsOrderCreated,
  WsWebhookDisabled,
  WsReplayTruncated,
  WsError,
];

/** The JSON a subscriber receives; users see every change as `order_update`, staff also see `order_created`. */
export function eventMessage(
  event: HubEvent,
  seq: number,
  audience: "user" | "staff",
): z.infer<typeof WsOrderUpdate> | z.infer<typeof WsOrderCreated> {
  const common = { order_id: event.orderId, status: event.status, seq, at: event.at };
  if (audience === "user")
    return { type: "order_update", ...common, message: `Your order #${event.orderId} is now ${event.status}` };
  const message =
    event.type === "order_created"
      ? `Order #${event.orderId} was placed`
      : `Order #${event.orderId} is now ${event.status}`;
  return { type: event.type, ...common, message, user_id: event.userId };
}
