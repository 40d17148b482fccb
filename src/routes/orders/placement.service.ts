import { sql } from "drizzle-orm";
import type { Db, Sql } from "../../db/client";
import { badRequest } from "../../lib/errors";
import type { Listeners } from "../../realtime/events";
import { ownerListeners, staffListeners } from "../../realtime/listeners";
import { claimKey, type IdempotencyKey, recordResponse, type StoredResponse } from "./idempotency.service";
import type { OrderDetail } from "./orders.serialize";
import { orderDetail } from "./orders.service";

export interface PlaceOrderInput {
  userId: number;
  /** Seconds a refresh token lives: decides which sessions still hear the order's event. */
  refreshTtl: number;
  shippingAddress: string;
  phoneNumber: string;
  key: IdempotencyKey | null;
}

export interface PlaceOrderResult extends StoredResponse {
  /** True when an earlier request with the same Idempotency-Key answered; nothing was written. */
  replayed: boolean;
  /** Products whose stock changed, for cache invalidation after commit. */
  productIds: number[];
  /** Outbox rows to hand to the realtime layer after commit. */
  eventIds: number[];
  /** The placed order (absent on a replay). */
  order?: OrderDetail;
  /** Who may hear of it, as the placing statement saw them (absent on a replay). */
  listeners?: { owner: Listeners; staff: Listeners };
}

interface Line extends Record<string, unknown> {
  item_id: number;
  product_id: number;
  quantity: number;
  name: string;
  stock: number;
}

/**
 * Locks the caller's cart lines and their products, products in id order so that two buyers of
 * overlapping carts always lock in the same order and cannot deadlock. Locking the lines makes a
 * second placement of the same cart wait, then find it empty. Archived products have left the
 * catalog (and the cart view), so they are not ordered.
 */
async function lockLines(tx: Sql, userId: number): Promise<Line[]> {
  const { rows } = await tx.execute<Line>(sql`
    SELECT ci.id AS item_id, ci.product_id, ci.quantity, p.name, p.stock
    FROM carts c
    JOIN cart_items ci ON ci.cart_id = c.id
    JOIN products p ON p.id = ci.product_id
    WHERE c.user_id = ${userId} AND NOT p.is_archived
    ORDER BY p.id
    FOR UPDATE OF ci, p`);
  return rows;
}

/**
 * Every write of a placement in one statement: conditional stock decrements for all lines at once,
 * the order with its total summed in numeric, items snapshotting name and price, the first
 * history row, the outbox event, and the ordered lines leave the cart (only those: a line added
 * meanwhile stays). The order is only written when every line got its stock (HAVING).
 */
async function writeOrder(tx: Sql, input: PlaceOrderInput, lines: Line[]) {
  const { rows } = await tx.execute<{
    order_id: number | null;
    event_id: string | null;
    taken: number[];
    owner_listeners: Listeners;
    staff_listeners: Listeners;
  }>(sql`
    WITH lines (product_id, quantity) AS (
      SELECT * FROM unnest(${sql.param(lines.map((l) => l.product_id))}::int[],
                           ${sql.param(lines.map((l) => l.quantity))}::int[])),
    taken AS (
      UPDATE products p SET stock = p.stock - l.quantity, updated_at = now()
      FROM lines l
      WHERE p.id = l.product_id AND p.stock >= l.quantity AND NOT p.is_archived
      RETURNING p.id, p.name, p.price, l.quantity),
    placed AS (
      INSERT INTO orders (user_id, status, total_price, shipping_address, phone_number)
      SELECT ${input.userId}::int, 'pending', sum(price * quantity), ${input.shippingAddress}::text,
             ${input.phoneNumber}::text
      FROM taken HAVING count(*) = ${lines.length}::int
      RETURNING id, user_id, status),
    items AS (
      INSERT INTO order_items (order_id, product_id, product_name, quantity, price)
      SELECT placed.id, taken.id, taken.name, taken.quantity, taken.price FROM placed, taken ORDER BY taken.id),
    history AS (
      INSERT INTO order_status_history (order_id, from_status, to_status, changed_by)
      SELECT id, NULL, status, user_id FROM placed),
    event AS (
      INSERT INTO order_events (user_id, order_id, type, status)
      SELECT user_id, id, 'order_created', status FROM placed RETURNING id),
    emptied AS (
      DELETE FROM cart_items
      WHERE id = ANY(${sql.param(lines.map((l) => l.item_id))}::int[]) AND EXISTS (SELECT 1 FROM placed)),
    touched AS (
      UPDATE carts SET updated_at = now() WHERE user_id = ${input.userId} AND EXISTS (SELECT 1 FROM placed))
    SELECT (SELECT id FROM placed) AS order_id, (SELECT id FROM event) AS event_id, array(SELECT id FROM taken) AS taken,
           ${ownerListeners(sql`${input.userId}::int`, input.refreshTtl)} AS owner_listeners,
           ${staffListeners(input.refreshTtl)} AS staff_listeners`);
  return rows[0]!;
}

const outOfStock = (line: Line) => badRequest(`${line.name} is out of stock`, { product_id: line.product_id });

/**
 * Places the caller's cart as an order in one transaction whose round trips do not depend on the
 * number of lines: BEGIN, [claim key], lock lines, write, read detail, [record key], COMMIT.
 * Any failure throws, so the transaction rolls back and nothing (the key included) is kept.
 */
export async function placeOrder(db: Db, input: PlaceOrderInput): Promise<PlaceOrderResult> {
  return db.transaction(async (tx) => {
    if (input.key) {
      const stored = await claimKey(tx, input.userId, input.key);
      if (stored) return { ...stored, replayed: true, productIds: [], eventIds: [] };
    }
    const lines = await lockLines(tx, input.userId);
    if (!lines.length) throw badRequest("Cart is empty");
    // Lines are in product id order, so "the first short product" is deterministic.
    const short = lines.find((l) => l.stock < l.quantity);
    if (short) throw outOfStock(short);

    const written = await writeOrder(tx, input, lines);
    if (written.order_id === null) {
      // Unreachable while the rows stay locked; kept so a broken assumption cannot oversell.
      throw outOfStock(lines.find((l) => !written.taken.includes(l.product_id)) ?? lines[0]!);
    }
    const order = await orderDetail(tx, written.order_id);
    const response = { status: 201, text: JSON.stringify({ message: "Order placed successfully!", order }) };
    if (input.key) await recordResponse(tx, input.userId, input.key.key, response);
    return {
      ...response,
      replayed: false,
      productIds: lines.map((l) => l.product_id),
      eventIds: [Number(written.event_id)],
      order: order!,
      listeners: { owner: written.owner_listeners, staff: written.staff_listeners },
    };
  });
}
