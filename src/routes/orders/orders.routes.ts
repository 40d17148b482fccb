import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { OrderStatus } from "../../db/schema";
import type { AppEnv } from "../../env";
import { notFound } from "../../lib/errors";
import { pathId } from "../../lib/fields";
import { toPage } from "../../lib/pagination";
import { validate } from "../../lib/validate";
import { requireAuth, requireStaff } from "../../middleware/auth";
import type { HubEvent } from "../../realtime/events";
import { notifyOrderEvents } from "../../realtime/notify";
import { invalidateCatalog } from "../products/catalog-cache";
import { readIdempotencyKey } from "./orders.idempotency";
import { placeOrder } from "./orders.place";
import { type OrderDetail, canSee, listOrders, orderDetail } from "./orders.read";
import { listOrdersQuery, placeOrderBody, updateStatusBody } from "./orders.schemas";
import { type ChangeKind, changeStatus } from "./orders.status";

const ID = "/:id{[0-9]+}";

/**
 * The outbox rows a transaction wrote, as hubs take them, from what the writer already holds:
 * the event's created_at and the order's created_at/updated_at are the same transaction's now().
 */
const outboxEvents = (eventIds: number[], type: HubEvent["type"], order: OrderDetail, at: string): HubEvent[] =>
  eventIds.map((eventId) => ({ eventId, type, orderId: order.id, userId: order.user, status: order.status, at }));

/**
 * After commit: make the catalog show the new stock before answering (the client must never
 * see its own write undone by the cache; this never throws), then hand the outbox to realtime.
 */
async function afterCommit(c: Context<AppEnv>, productIds: number[], events: HubEvent[]) {
  if (productIds.length) await invalidateCatalog(c.var.cache, productIds);
  notifyOrderEvents(c, events);
}

async function moveOrder(c: Context<AppEnv>, kind: ChangeKind, to: OrderStatus) {
  const change = await changeStatus(c.var.db, kind, c.var.user, pathId(c.req.param("id")), to);
  await afterCommit(c, change.productIds, outboxEvents(change.eventIds, "order_update", change.order, change.order.updated_at));
  const message = kind === "cancel" ? "Order cancelled" : `Order status updated from ${change.from} to ${to}`;
  return c.json({ message, order: change.order }, 200);
}

const orders = new Hono<AppEnv>()
  .get("/", requireAuth(), validate("query", listOrdersQuery), async (c) => {
    const query = c.req.valid("query");
    const { count, results } = await listOrders(c.var.db, c.var.user, query);
    return c.json(toPage(c.req.url, query, count, results), 200);
  })
  .post("/", requireAuth(), validate("json", placeOrderBody), async (c) => {
    const body = c.req.valid("json");
    const key = await readIdempotencyKey(c);
    const result = await placeOrder(c.var.db, {
      userId: c.var.user.id,
      shippingAddress: body.shipping_address,
      phoneNumber: body.phone_number,
      key,
    });
    const placed = result.order;
    await afterCommit(c, result.productIds, placed ? outboxEvents(result.eventIds, "order_created", placed, placed.created_at) : []);
    if (result.replayed) c.header("Idempotent-Replayed", "true");
    // The exact text, so a replay is byte-for-byte the first answer.
    return c.body(result.text, result.status as ContentfulStatusCode, { "Content-Type": "application/json" });
  })
  .get(ID, requireAuth(), async (c) => {
    const order = await orderDetail(c.var.db, pathId(c.req.param("id")));
    if (!order || !canSee(c.var.user, order)) throw notFound();
    return c.json(order, 200);
  })
  .patch(`${ID}/update_status`, requireStaff(), validate("json", updateStatusBody), async (c) =>
    moveOrder(c, "staff", c.req.valid("json").status),
  )
  .post(`${ID}/cancel`, requireAuth(), async (c) => moveOrder(c, "cancel", "cancelled"));

export default orders;
