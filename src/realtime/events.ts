import * as z from "zod";
import { ORDER_STATUSES } from "../db/schema";

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

/** Every hub keeps this many recent events for `?since=` replay. */
export const RETAINED_EVENTS = 1000;
/** Sockets one hub accepts by default (`WS_MAX_SOCKETS`); more are refused with 429 before upgrading. */
export const MAX_SOCKETS = 2000;
/** Clients only ever need to send "ping"; a larger message closes that socket (1009). */
export const MAX_CLIENT_MESSAGE = 1024;
/** The staff feed is one more hub, under a name no user id can take. */
export const STAFF_HUB = "staff";

/** The JSON a subscriber receives; users see every change as `order_update`, staff also see `order_created`. */
export function eventMessage(event: HubEvent, seq: number, audience: "user" | "staff") {
  const type = audience === "user" ? "order_update" : event.type;
  const message =
    audience === "user"
      ? `Your order #${event.orderId} is now ${event.status}`
      : event.type === "order_created"
        ? `Order #${event.orderId} was placed`
        : `Order #${event.orderId} is now ${event.status}`;
  return {
    type,
    order_id: event.orderId,
    status: event.status,
    message,
    seq,
    at: event.at,
    ...(audience === "staff" ? { user_id: event.userId } : {}),
  };
}
