import { sql } from "drizzle-orm";
import type { AuthUser } from "../../context";
import type { Db, Sql } from "../../db/client";
import type { OrderStatus } from "../../db/schema";
import { conflict, notFound } from "../../lib/errors";
import type { Listeners } from "../../realtime/events";
import { ownerHubKey, ownerListeners, staffListeners } from "../../realtime/listeners";
import type { OrderDetail } from "./orders.serialize";
import { orderDetail } from "./orders.service";

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

async function lockOrder(tx: Sql, orderId: number) {
  const { rows } = await tx.execute<{ user_id: number; status: OrderStatus }>(sql`
    SELECT user_id, status FROM orders WHERE id = ${orderId} FOR UPDATE`);
  return rows[0] ?? null;
}

function checkAllowed(
  kind: ChangeKind,
  actor: AuthUser,
  order: { user_id: number; status: OrderStatus },
  to: OrderStatus,
) {
  // For anyone but staff, someone else's order does not exist.
  if (!actor.isStaff && order.user_id !== actor.id) throw notFound();
  if (kind === "cancel" && !actor.isStaff && order.status !== "pending") {
    throw conflict("Only pending orders can be cancelled.");
  }
  if (!NEXT_STATUSES[order.status].includes(to)) throw conflict(`Cannot change status from ${order.status} to ${to}`);
}

/**
 * Moves an order along the graph in one transaction. The order row is locked first, so two
 * concurrent changes from the same status serialise and the second sees the new status (and is
 * refused if the graph no longer allows it). History row, outbox event and, when cancelling, the
 * restock of every line (one batched UPDATE, products locked in id order) commit together.
 */
export async function changeStatus(
  db: Db,
  kind: ChangeKind,
  actor: AuthUser,
  orderId: number,
  to: OrderStatus,
  refreshTtl: number,
): Promise<StatusChange> {
  return db.transaction(async (tx) => {
    const current = await lockOrder(tx, orderId);
    if (!current) throw notFound();
    checkAllowed(kind, actor, current, to);
    const from = current.status;
    const restock = to === "cancelled";
    if (restock) {
      await tx.execute(sql`
        SELECT p.id FROM products p
        WHERE p.id IN (SELECT product_id FROM order_items WHERE order_id = ${orderId})
        ORDER BY p.id FOR UPDATE`);
    }
    const { rows } = await tx.execute<{
      event_id: string | null;
      restocked: number[];
      hub_key: string;
      owner_listeners: Listeners;
      staff_listeners: Listeners;
    }>(sql`
      WITH moved AS (
        UPDATE orders SET status = ${to}, updated_at = now()
        WHERE id = ${orderId} AND status = ${from} RETURNING id, user_id),
      history AS (
        INSERT INTO order_status_history (order_id, from_status, to_status, changed_by)
        SELECT id, ${from}, ${to}, ${actor.id}::int FROM moved),
      event AS (
        INSERT INTO order_events (user_id, order_id, type, status)
        SELECT user_id, id, 'order_update', ${to} FROM moved RETURNING id),
      restocked AS (
        UPDATE products p SET stock = p.stock + i.quantity, updated_at = now()
        FROM (SELECT product_id, sum(quantity)::int AS quantity FROM order_items
              WHERE order_id = ${orderId} AND product_id IS NOT NULL GROUP BY product_id) i
        WHERE ${restock}::boolean AND p.id = i.product_id AND EXISTS (SELECT 1 FROM moved)
        RETURNING p.id)
      SELECT (SELECT id FROM event) AS event_id, array(SELECT id FROM restocked) AS restocked,
             ${ownerHubKey(sql`${current.user_id}::int`)} AS hub_key,
             ${ownerListeners(sql`${current.user_id}::int`, refreshTtl)} AS owner_listeners,
             ${staffListeners(refreshTtl)} AS staff_listeners`);
    const written = rows[0];
    // The row lock makes this unreachable; it guards the invariant rather than trusting it.
    if (!written?.event_id) throw conflict(`Cannot change status from ${from} to ${to}`);
    const order = await orderDetail(tx, orderId);
    if (!order) throw notFound();
    return {
      from,
      order,
      productIds: written.restocked,
      eventIds: [Number(written.event_id)],
      hubKey: written.hub_key,
      listeners: { owner: written.owner_listeners, staff: written.staff_listeners },
    };
  });
}
