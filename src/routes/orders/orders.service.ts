import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Session } from "../../context";
import type { Db } from "../../db/client";
import { type OrderStatus, orderItems, orders, users } from "../../db/schema";
import { fieldError } from "../../lib/errors";
import { INVALID_CHOICE } from "../../lib/fields";
import { type PageRequest, pageOffset } from "../../lib/pagination";
import { type OrderDetail, orderSummaryJson } from "./orders.serialize";

type ItemJson = OrderDetail["items"][number];

// Money is cast to text inside the JSON so it stays a decimal string, computed by Postgres.
const itemsJson = sql<ItemJson[]>`COALESCE((
  SELECT json_agg(json_build_object(
           'id', i.id, 'product', i.product_id, 'product_name', i.product_name, 'quantity', i.quantity,
           'price', i.price::text, 'subtotal', (i.price * i.quantity)::text) ORDER BY i.id)
  FROM ${orderItems} i WHERE i.order_id = ${orders.id}), '[]')`;

/**
 * The orders a caller may see: their own, or every order for staff. A token that says its user
 * is a customer gets the plain condition (the user's index); one that says staff is confirmed
 * against the users table in the same statement, so rights taken away count at once.
 */
export function visibleTo(session: Session): SQL {
  const own = eq(orders.userId, session.userId);
  if (session.claimsStaff === false) return own;
  return sql`(${own} OR EXISTS (SELECT 1 FROM users s WHERE s.id = ${session.userId}::int AND s.is_staff))`;
}

/** Timestamps as JavaScript's `toISOString()` writes them, for JSON built by Postgres. */
export const iso = (column: SQL | typeof orders.createdAt | typeof orders.updatedAt) =>
  sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The contract's order detail, written by Postgres (select it from orders joined to users): the
 * one rendering of an order, so a placement can store the exact text it answers, and replay it.
 * `product` is null only if a product row was really removed.
 */
export const orderJson = sql<OrderDetail>`json_build_object(
  'id', ${orders.id}, 'user', ${orders.userId}, 'user_name', ${users.username}, 'status', ${orders.status},
  'total_price', ${orders.totalPrice}::text, 'shipping_address', ${orders.shippingAddress},
  'phone_number', ${orders.phoneNumber}, 'items', ${itemsJson},
  'created_at', ${iso(orders.createdAt)}, 'updated_at', ${iso(orders.updatedAt)})`;

/** Orders rendered by `orderJson`, for a batch. */
export const orderDetailQuery = (db: Db, where: SQL) =>
  db.select({ order: orderJson }).from(orders).innerJoin(users, eq(users.id, orders.userId)).where(where);

/**
 * Columns of an order list row; `orderSummaryJson` renders them. The outer order's id is
 * qualified: drizzle writes a single-table select's columns bare (`"id"`), which inside the
 * subquery on order_items would be the item's own id.
 */
export const orderSummaryColumns = {
  id: orders.id,
  status: orders.status,
  totalPrice: orders.totalPrice,
  createdAt: orders.createdAt,
  itemsCount: sql<number>`(SELECT count(*)::int FROM ${orderItems} i WHERE i.order_id = ${orders}.id)`,
};

interface ListFilters extends PageRequest {
  status?: OrderStatus;
  user?: number;
}

/**
 * One page of order summaries, newest first, with the total as a scalar subquery (one
 * statement); with `user`, a second statement says whether that user exists and the caller is staff.
 */
export function listOrdersQueries(db: Db, session: Session, filters: ListFilters) {
  const where = and(
    visibleTo(session),
    filters.status ? eq(orders.status, filters.status) : undefined,
    filters.user !== undefined ? eq(orders.userId, filters.user) : undefined,
  )!;
  const page = db
    .select({
      ...orderSummaryColumns,
      total: sql<number>`(SELECT count(*) FROM ${orders} WHERE ${where})`.mapWith(Number),
    })
    .from(orders)
    .where(where)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(filters.page_size)
    .offset(pageOffset(filters));
  const userCheck = db.execute<{ known: boolean; staff: boolean }>(sql`
    SELECT EXISTS (SELECT 1 FROM users WHERE id = ${filters.user ?? 0}::int) AS known,
           EXISTS (SELECT 1 FROM users WHERE id = ${session.userId}::int AND is_staff) AS staff`);
  return [page, userCheck] as const;
}

type Listed = [Awaited<ReturnType<typeof listOrdersQueries>[0]>, Awaited<ReturnType<typeof listOrdersQueries>[1]>];

export function listedOrders([rows, check]: Listed, filters: ListFilters) {
  // DRF's filter answers an unknown id as an invalid choice, not as an empty list. Only for staff:
  // a customer's `user` can only narrow their own orders, and must not tell which user ids exist.
  const facts = check.rows[0];
  if (filters.user !== undefined && facts?.staff && !facts.known) throw fieldError("user", INVALID_CHOICE);
  return { count: rows[0]?.total ?? 0, results: rows.map(orderSummaryJson) };
}
