import { and, count, desc, eq, type SQL, sql } from "drizzle-orm";
import type { AuthUser } from "../../context";
import type { Sql } from "../../db/client";
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

/** The contract's order detail, or null; `product` is null only if a product row was really removed. */
export async function orderDetail(db: Sql, orderId: number): Promise<OrderDetail | null> {
  const [o] = await db
    .select({ order: orders, username: users.username, items: itemsJson })
    .from(orders)
    .innerJoin(users, eq(users.id, orders.userId))
    .where(eq(orders.id, orderId));
  if (!o) return null;
  return {
    id: o.order.id,
    user: o.order.userId,
    user_name: o.username,
    status: o.order.status,
    total_price: o.order.totalPrice,
    shipping_address: o.order.shippingAddress,
    phone_number: o.order.phoneNumber,
    items: o.items,
    created_at: o.order.createdAt.toISOString(),
    updated_at: o.order.updatedAt.toISOString(),
  };
}

/** Staff see every order; anyone else only their own, and others' orders do not exist for them. */
export const canSee = (viewer: AuthUser, order: { user: number }) => viewer.isStaff || order.user === viewer.id;

interface ListFilters extends PageRequest {
  status?: OrderStatus;
  user?: number;
}

/** Columns of an order list row; `orderSummaryJson` renders them. */
export const orderSummaryColumns = {
  id: orders.id,
  status: orders.status,
  totalPrice: orders.totalPrice,
  createdAt: orders.createdAt,
  itemsCount: sql<number>`(SELECT count(*)::int FROM ${orderItems} i WHERE i.order_id = ${orders.id})`,
};

export async function listOrders(db: Sql, viewer: AuthUser, filters: ListFilters) {
  const where: SQL[] = [];
  if (!viewer.isStaff) where.push(eq(orders.userId, viewer.id));
  if (filters.status) where.push(eq(orders.status, filters.status));
  if (filters.user !== undefined) where.push(eq(orders.userId, filters.user));
  const offset = pageOffset(filters);

  const [counted] = await db
    .select({
      count: count(),
      userExists: sql<boolean>`EXISTS (SELECT 1 FROM ${users} WHERE ${users.id} = ${filters.user ?? 0})`,
    })
    .from(orders)
    .where(and(...where));
  // DRF's filter answers an unknown id as an invalid choice, not as an empty list. Only for staff:
  // a customer's `user` can only narrow their own orders, and must not tell which user ids exist.
  if (filters.user !== undefined && viewer.isStaff && !counted?.userExists) {
    throw fieldError("user", INVALID_CHOICE);
  }
  const rows = await db
    .select(orderSummaryColumns)
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(filters.page_size)
    .offset(offset);
  return { count: counted?.count ?? 0, results: rows.map(orderSummaryJson) };
}
