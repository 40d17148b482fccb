import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { orders } from "../../db/schema";
import { ApiError, badRequest } from "../../lib/errors";
import type { Listeners } from "../../realtime/events";
import { ownerListeners, staffListeners } from "../../realtime/listeners";
import type { IdempotencyKey, StoredResponse } from "./idempotency.service";
import type { OrderDetail } from "./orders.serialize";
import { orderJson } from "./orders.service";

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

/** The order the placing statement wrote, named for the statements after it in the same transaction. */
const PLACED = "shop.placed_order";

type Placed = {
  order_id: number | null;
  event_id: string | null;
  taken: number[];
  has_lines: boolean;
  short_id: number | null;
  short_name: string | null;
  claimed: boolean;
  replay_status: number | null;
  replay_hash: string | null;
  replay_response: unknown;
  owner_listeners: Listeners;
  staff_listeners: Listeners;
};

/**
 * The placement, all of it in one statement: an earlier answer under the same key (replayed,
 * nothing locked), the caller's cart lines and their products locked in product id order (two
 * buyers of overlapping carts lock alike and cannot deadlock; a second placement of the same cart
 * waits, then finds it empty), the first short product, the key claimed only once everything is
 * known to succeed, the conditional decrements, the order with its total summed in numeric, the
 * items with name and price snapshots, the first history row, the outbox event, and the ordered
 * lines leaving the cart (only those: a line added meanwhile stays). Every write waits on `go`,
 * so a refused placement writes nothing at all.
 */
function placeStatement(db: Db, input: PlaceOrderInput) {
  const key = input.key;
  const u = sql`${input.userId}::int`;
  const keyed = key !== null;
  return db.execute<Placed>(sql`
    WITH existing AS (
      SELECT status_code, request_hash, response FROM idempotency_keys
      WHERE ${keyed}::boolean AND user_id = ${u} AND key = ${key?.key ?? ""} AND status_code <> 0),
    locked AS (
      SELECT ci.id AS item_id, ci.product_id, ci.quantity, p.name, p.stock
      FROM carts c JOIN cart_items ci ON ci.cart_id = c.id JOIN products p ON p.id = ci.product_id
      WHERE c.user_id = ${u} AND NOT p.is_archived AND NOT EXISTS (SELECT 1 FROM existing)
      ORDER BY p.id
      FOR UPDATE OF ci, p),
    short AS (SELECT product_id, name FROM locked WHERE stock < quantity ORDER BY product_id LIMIT 1),
    ok AS (SELECT 1 WHERE EXISTS (SELECT 1 FROM locked) AND NOT EXISTS (SELECT 1 FROM short)),
    claimed AS (
      INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response)
      SELECT ${u}, ${key?.key ?? ""}, ${key?.hash ?? ""}, 0, 'null' FROM ok WHERE ${keyed}::boolean
      ON CONFLICT (user_id, key) DO NOTHING RETURNING key),
    go AS (SELECT 1 FROM ok WHERE NOT ${keyed}::boolean OR EXISTS (SELECT 1 FROM claimed)),
    taken AS (
      UPDATE products p SET stock = p.stock - l.quantity, updated_at = now()
      FROM locked l
      WHERE p.id = l.product_id AND p.stock >= l.quantity AND EXISTS (SELECT 1 FROM go)
      RETURNING p.id, p.name, p.price, l.quantity),
    placed AS (
      INSERT INTO orders (user_id, status, total_price, shipping_address, phone_number)
      SELECT ${u}, 'pending', sum(price * quantity), ${input.shippingAddress}::text, ${input.phoneNumber}::text
      FROM taken HAVING count(*) > 0 AND count(*) = (SELECT count(*) FROM locked)
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
    emptied AS (DELETE FROM cart_items WHERE id IN (SELECT item_id FROM locked) AND EXISTS (SELECT 1 FROM placed)),
    touched AS (UPDATE carts SET updated_at = now() WHERE user_id = ${u} AND EXISTS (SELECT 1 FROM placed))
    SELECT (SELECT id FROM placed) AS order_id, (SELECT id FROM event) AS event_id, array(SELECT id FROM taken) AS taken,
           EXISTS (SELECT 1 FROM locked) AS has_lines,
           (SELECT product_id FROM short) AS short_id, (SELECT name FROM short) AS short_name,
           EXISTS (SELECT 1 FROM claimed) AS claimed,
           (SELECT status_code FROM existing) AS replay_status, (SELECT request_hash FROM existing) AS replay_hash,
           (SELECT response FROM existing) AS replay_response,
           ${ownerListeners(u, input.refreshTtl)} AS owner_listeners,
           ${staffListeners(input.refreshTtl)} AS staff_listeners,
           set_config(${PLACED}, coalesce((SELECT id FROM placed)::text, ''), true) AS named`);
}

/**
 * The placed order's answer, written once by Postgres and, under a key, stored as that exact
 * text, so a replay is byte-for-byte the first answer. A later statement of the same
 * transaction: it sees the order the placement wrote.
 */
function answerStatement(db: Db, input: PlaceOrderInput) {
  return db.execute<{ body: string }>(sql`
    WITH answer AS (
      SELECT json_build_object('message', 'Order placed successfully!', 'order', ${orderJson})::text AS body
      FROM ${orders} JOIN users ON users.id = ${orders.userId}
      WHERE ${orders.id} = NULLIF(current_setting(${PLACED}, true), '')::int),
    recorded AS (
      UPDATE idempotency_keys SET status_code = 201, response = to_jsonb((SELECT body FROM answer))
      WHERE ${input.key !== null}::boolean AND user_id = ${input.userId}::int AND key = ${input.key?.key ?? ""}
        AND status_code = 0 AND EXISTS (SELECT 1 FROM answer))
    SELECT body FROM answer`);
}

/**
 * What a concurrent duplicate under the same key committed while this placement waited: a new
 * statement, so it sees that commit (the placing statement's snapshot is older).
 */
function storedStatement(db: Db, input: PlaceOrderInput) {
  return db.execute<{ status_code: number; request_hash: string; response: unknown }>(sql`
    SELECT status_code, request_hash, response FROM idempotency_keys
    WHERE ${input.key !== null}::boolean AND user_id = ${input.userId}::int AND key = ${input.key?.key ?? ""} AND status_code <> 0`);
}

/** The placement's statements, for one batch behind `authorized()`: three statements, one round trip, however many lines. */
export const placementQueries = (db: Db, input: PlaceOrderInput) =>
  [placeStatement(db, input), answerStatement(db, input), storedStatement(db, input)] as const;

type Results = [
  Awaited<ReturnType<typeof placeStatement>>,
  Awaited<ReturnType<typeof answerStatement>>,
  Awaited<ReturnType<typeof storedStatement>>,
];

function replay(
  stored: { status_code: number; request_hash: string; response: unknown },
  hash: string,
): PlaceOrderResult {
  if (stored.request_hash !== hash)
    throw new ApiError(422, { detail: "Idempotency-Key reused with a different request body." });
  if (typeof stored.response !== "string") throw new Error("idempotency key row without a response");
  return { status: stored.status_code, text: stored.response, replayed: true, productIds: [], eventIds: [] };
}

/**
 * What the placement's batch answered: the placed order, a replay of an earlier answer under the
 * same key, or the contract's 400 (empty cart, the first short product by id) with nothing written.
 */
export function placementResult([placed, answer, stored]: Results, input: PlaceOrderInput): PlaceOrderResult {
  const p = placed.rows[0]!;
  const key = input.key;
  if (key && p.replay_status !== null) {
    return replay(
      { status_code: p.replay_status, request_hash: p.replay_hash!, response: p.replay_response },
      key.hash,
    );
  }
  if (p.order_id === null) {
    // Under a key, a duplicate may have committed while this one waited on its locks: answer as it did.
    const earlier = stored.rows[0];
    if (key && earlier && !p.claimed) return replay(earlier, key.hash);
    if (!p.has_lines) throw badRequest("Cart is empty");
    if (p.short_id !== null) throw badRequest(`${p.short_name} is out of stock`, { product_id: p.short_id });
    // Unreachable while the rows stay locked; kept so a broken assumption cannot pass unnoticed.
    throw new Error("placement wrote no order and named no reason");
  }
  const text = answer.rows[0]!.body;
  return {
    status: 201,
    text,
    replayed: false,
    productIds: p.taken,
    eventIds: [Number(p.event_id)],
    order: (JSON.parse(text) as { order: OrderDetail }).order,
    listeners: { owner: p.owner_listeners, staff: p.staff_listeners },
  };
}
