import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { ORDER_STATUSES, type OrderStatus, orders } from "../../db/schema";
import { conflict, notFound } from "../../lib/errors";
import type { Listeners } from "../../realtime/events";
import { ownerHubKey, ownerListeners, staffListeners } from "../../realtime/listeners";
import type { OrderDetail } from "./orders.serialize";
import { orderDetailQuery } from "./orders.service";

/** The contract's graph; the seed's clients move pending → shipped directly, so that stays legal. */
export const NEXT_STATUSES: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ["processing", "shipped", "cancelled"],
  processing: ["shipped", "cancelled"],
  shipped: ["delivered"],
  delivered: [],
  cancelled: [],
};

export interface StatusChange {
  from: OrderStatus;
  order: OrderDetail;
  productIds: number[];
  eventIds: number[];
  /** The owner's hub and who may hear of the change, as the changing statement saw them. */
  hubKey: string;
  listeners: { owner: Listeners; staff: Listeners };
}

/** Who may make a change: staff through update_status, or the cancel route (owner or staff). */
export type ChangeKind = "staff" | "cancel";

export interface ChangeInput {
  kind: ChangeKind;
  actorId: number;
  orderId: number;
  to: OrderStatus;
  refreshTtl: number;
}

type Changed = {
  verdict: "missing" | "not_pending" | "illegal" | "ok";
  from_status: OrderStatus | null;
  event_id: string | null;
  restocked: number[];
  hub_key: string | null;
  owner_listeners: Listeners | null;
  staff_listeners: Listeners;
};

/**
 * Moves an order along the graph in one statement. The order row is locked first, so two
 * concurrent changes serialise and the second sees the new status (and is refused if the graph
 * no longer allows it); who may see the order and whether the owner may still cancel are judged
 * on the locked row. History row, outbox event and, when cancelling, the restock of every line
 * (one batched UPDATE, products locked in id order) are written together, or not at all.
 */
function changeStatement(db: Db, input: ChangeInput) {
  const { orderId, to, actorId } = input;
  const from = ORDER_STATUSES.filter((s) => NEXT_STATUSES[s].includes(to));
  const restock = to === "cancelled";
  const owner = sql`(SELECT user_id FROM current)`;
  return db.execute<Changed>(sql`
    WITH current AS (SELECT id, user_id, status FROM orders WHERE id = ${orderId}::int FOR UPDATE),
    verdict AS (
      SELECT CASE
          -- For anyone but staff, someone else's order does not exist.
          WHEN c.id IS NULL OR NOT (coalesce(a.is_staff, false) OR c.user_id = ${actorId}::int) THEN 'missing'
          WHEN ${input.kind === "cancel"}::boolean AND NOT coalesce(a.is_staff, false) AND c.status <> 'pending' THEN 'not_pending'
          WHEN NOT (c.status = ANY(${sql.param(from)}::text[])) THEN 'illegal'
          ELSE 'ok' END AS v,
        c.status AS from_status
      FROM (SELECT 1) one LEFT JOIN current c ON true LEFT JOIN users a ON a.id = ${actorId}::int),
    locked_products AS (
      SELECT p.id FROM products p
      WHERE ${restock}::boolean AND (SELECT v FROM verdict) = 'ok'
        AND p.id IN (SELECT product_id FROM order_items WHERE order_id = ${orderId}::int)
      ORDER BY p.id FOR UPDATE),
    moved AS (
      UPDATE orders SET status = ${to}, updated_at = now()
      WHERE id = ${orderId}::int AND (SELECT v FROM verdict) = 'ok' RETURNING id, user_id),
    history AS (
      INSERT INTO order_status_history (order_id, from_status, to_status, changed_by)
      SELECT id, (SELECT from_status FROM verdict), ${to}, ${actorId}::int FROM moved),
    event AS (
      INSERT INTO order_events (user_id, order_id, type, status)
      SELECT user_id, id, 'order_update', ${to} FROM moved RETURNING id),
    restocked AS (
      UPDATE products p SET stock = p.stock + i.quantity, updated_at = now()
      FROM (SELECT product_id, sum(quantity)::int AS quantity FROM order_items
            WHERE order_id = ${orderId}::int AND product_id IS NOT NULL GROUP BY product_id) i
      WHERE p.id = i.product_id AND p.id IN (SELECT id FROM locked_products) AND EXISTS (SELECT 1 FROM moved)
      RETURNING p.id)
    SELECT (SELECT v FROM verdict) AS verdict, (SELECT from_status FROM verdict) AS from_status,
           (SELECT id FROM event) AS event_id, array(SELECT id FROM restocked) AS restocked,
           ${ownerHubKey(owner)} AS hub_key,
           ${ownerListeners(owner, input.refreshTtl)} AS owner_listeners,
           ${staffListeners(input.refreshTtl)} AS staff_listeners`);
}

/** The change and then the order as it now is: for one batch behind `authorized()`, one round trip. */
export const changeQueries = (db: Db, input: ChangeInput) =>
  [changeStatement(db, input), orderDetailQuery(db, eq(orders.id, input.orderId))] as const;

type Results = [Awaited<ReturnType<typeof changeStatement>>, Awaited<ReturnType<typeof orderDetailQuery>>];

/** The change made, or the contract's refusal (404, 409) with nothing written. */
export function statusChange([changed, detail]: Results, input: ChangeInput): StatusChange {
  const c = changed.rows[0]!;
  if (c.verdict === "missing") throw notFound();
  if (c.verdict === "not_pending") throw conflict("Only pending orders can be cancelled.");
  if (c.verdict === "illegal" || !c.event_id)
    throw conflict(`Cannot change status from ${c.from_status} to ${input.to}`);
  const order = detail[0]?.order;
  if (!order) throw notFound();
  return {
    from: c.from_status!,
    order,
    productIds: c.restocked,
    eventIds: [Number(c.event_id)],
    hubKey: c.hub_key!,
    listeners: { owner: c.owner_listeners!, staff: c.staff_listeners },
  };
}
