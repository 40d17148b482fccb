import { and, eq } from "drizzle-orm";
import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import * as z from "zod";
import type { AppEnv } from "../../context";
import { type OrderStatus, orders as ordersTable } from "../../db/schema";
import { notFound } from "../../lib/errors";
import { ID, pathId } from "../../lib/fields";
import { toPage } from "../../lib/pagination";
import { validate } from "../../lib/validate";
import { authorized, requireAuth, requireStaff } from "../../middleware/auth";
import { doc } from "../../openapi/describe";
import { Detail, FieldErrors } from "../../openapi/schemas";
import type { Outbox } from "../../realtime/deliver";
import type { HubEvent, Listeners } from "../../realtime/events";
import { notifyOrderEvents } from "../../realtime/notify";
import { invalidateCatalog } from "../products/cache.service";
import { readIdempotencyKey } from "./idempotency.service";
import { listOrdersQuery, placeOrderBody, updateStatusBody } from "./orders.schemas";
import { Order, OrderChanged, type OrderDetail, OrderPage, OutOfStock } from "./orders.serialize";
import { listedOrders, listOrdersQueries, orderDetailQuery, visibleTo } from "./orders.service";
import { placementQueries, placementResult } from "./placement.service";
import { type ChangeKind, changeQueries, statusChange } from "./status.service";

/**
 * The outbox rows a transaction wrote, as hubs take them, from what the writer already holds:
 * the event's created_at and the order's created_at/updated_at are the same transaction's now().
 */
const outbox = (
  eventIds: number[],
  type: HubEvent["type"],
  order: OrderDetail,
  at: string,
  hubKey: string,
  listeners: { owner: Listeners; staff: Listeners },
): Outbox => ({
  events: eventIds.map((eventId) => ({
    eventId,
    type,
    orderId: order.id,
    userId: order.user,
    status: order.status,
    at,
  })),
  owners: new Map([[order.user, { hubKey, listeners: listeners.owner }]]),
  staff: listeners.staff,
});

/**
 * After commit: make the catalog show the new stock before answering (the client must never
 * see its own write undone by the cache; this never throws), then hand the outbox to realtime.
 */
async function afterCommit(c: Context<AppEnv>, productIds: number[], events: Outbox | null) {
  if (productIds.length) await invalidateCatalog(c.var.cache, productIds);
  if (events) notifyOrderEvents(c, events);
}

async function moveOrder(c: Context<AppEnv>, kind: ChangeKind, to: OrderStatus) {
  const input = {
    kind,
    actorId: c.var.session.userId,
    orderId: pathId(c.req.param("id")),
    to,
    refreshTtl: c.var.config.REFRESH_TOKEN_TTL,
  };
  const change = statusChange(await authorized(c, ...changeQueries(c.var.db, input)), input);
  const { order } = change;
  await afterCommit(
    c,
    change.productIds,
    outbox(change.eventIds, "order_update", order, order.updated_at, change.hubKey, change.listeners),
  );
  const message = kind === "cancel" ? "Order cancelled" : `Order status updated from ${change.from} to ${to}`;
  return c.json({ message, order: change.order }, 200);
}

const orders = new Hono<AppEnv>()
  .get(
    "/",
    doc({
      tag: "orders",
      summary: "List orders, newest first (paginated)",
      description: "Customers see their own orders; staff see everyone's and may filter by `user`.",
      errors: [404],
      ok: { status: 200, description: "One page of order summaries", schema: OrderPage },
    }),
    requireAuth(),
    validate("query", listOrdersQuery),
    async (c) => {
      const query = c.req.valid("query");
      const { count, results } = listedOrders(
        await authorized(c, ...listOrdersQueries(c.var.db, c.var.session, query)),
        query,
      );
      return c.json(toPage(c.req.url, query, count, results), 200);
    },
  )
  .post(
    "/",
    doc({
      tag: "orders",
      summary: "Place your cart as an order",
      description:
        "One transaction: stock is decremented for every line or for none, prices are snapshotted, the cart is emptied. " +
        "With an `Idempotency-Key`, a repeat of the same request answers the original order (header `Idempotent-Replayed: true`).",
      headers: [
        {
          name: "Idempotency-Key",
          description: "1 to 255 characters; the same key from the same user places at most one order.",
        },
      ],
      errors: [422],
      ok: { status: 201, description: "Placed", schema: OrderChanged },
      responses: {
        400: {
          description: "Invalid fields, an empty cart (`Cart is empty`), or a line out of stock (nothing changes)",
          schema: z.union([FieldErrors, Detail, OutOfStock]),
        },
      },
    }),
    requireAuth(),
    validate("json", placeOrderBody),
    async (c) => {
      const body = c.req.valid("json");
      const key = await readIdempotencyKey(c);
      const input = {
        userId: c.var.session.userId,
        refreshTtl: c.var.config.REFRESH_TOKEN_TTL,
        shippingAddress: body.shipping_address,
        phoneNumber: body.phone_number,
        key,
      };
      const result = placementResult(await authorized(c, ...placementQueries(c.var.db, input)), input);
      const { order: placed, listeners } = result;
      const events =
        placed && listeners
          ? outbox(result.eventIds, "order_created", placed, placed.created_at, c.var.user.hubKey, listeners)
          : null;
      await afterCommit(c, result.productIds, events);
      if (result.replayed) c.header("Idempotent-Replayed", "true");
      // The exact text, so a replay is byte-for-byte the first answer.
      return c.body(result.text, result.status as ContentfulStatusCode, { "Content-Type": "application/json" });
    },
  )
  .get(
    ID,
    doc({
      tag: "orders",
      summary: "One order (owner or staff; anyone else gets 404)",
      ok: { status: 200, description: "The order", schema: Order },
    }),
    requireAuth(),
    async (c) => {
      const where = and(eq(ordersTable.id, pathId(c.req.param("id"))), visibleTo(c.var.session))!;
      const [[found]] = await authorized(c, orderDetailQuery(c.var.db, where));
      if (!found) throw notFound();
      return c.json(found.order, 200);
    },
  )
  .patch(
    `${ID}/update_status`,
    doc({
      tag: "orders",
      summary: "Move an order to another status",
      description:
        "`pending → processing | shipped | cancelled`, `processing → shipped | cancelled`, `shipped → delivered`. " +
        "An unknown status is a 400 listing the valid ones; a move outside this graph is a 409. Cancelling restores stock.",
      errors: [409],
      ok: { status: 200, description: "Moved", schema: OrderChanged },
    }),
    requireStaff(),
    validate("json", updateStatusBody),
    async (c) => moveOrder(c, "staff", c.req.valid("json").status),
  )
  .post(
    `${ID}/cancel`,
    doc({
      tag: "orders",
      summary: "Cancel an order and restore its stock",
      description:
        "The owner may cancel while the order is `pending`; staff may cancel any order the status graph allows.",
      errors: [409],
      ok: { status: 200, description: "Cancelled", schema: OrderChanged },
    }),
    requireAuth(),
    async (c) => moveOrder(c, "cancel", "cancelled"),
  );

export default orders;
