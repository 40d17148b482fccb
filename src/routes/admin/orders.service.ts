import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Sql } from "../../db/client";
import { orderStatusHistory, orders, users } from "../../db/schema";
import { fieldError, notFound } from "../../lib/errors";
import { INVALID_CHOICE } from "../../lib/fields";
import { pageOffset } from "../../lib/pagination";
import { searchAll } from "../../lib/search";
import { orderSummaryJson } from "../orders/orders.serialize";
import { orderDetail, orderSummaryColumns } from "../orders/orders.service";
import { NEXT_STATUSES } from "../orders/status.service";
import type { AdminOrdersQuery } from "./admin.schemas";

/** Why a page is empty: an unknown `user` is an invalid choice (as on /api/orders/), a page past the end is 404. */
async function emptyPage(db: Sql, query: AdminOrdersQuery, offset: number) {
  if (query.user !== undefined) {
    const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, query.user));
    if (!user) throw fieldError("user", INVALID_CHOICE);
  }
  if (offset > 0) throw notFound("Invalid page.");
}

/** One page of orders, newest first, with who placed each; searchable by the customer's names and email. */
export async function listAdminOrders(db: Sql, query: AdminOrdersQuery) {
  const where: (SQL | undefined)[] = [
    query.status ? eq(orders.status, query.status) : undefined,
    query.user !== undefined ? eq(orders.userId, query.user) : undefined,
    searchAll(query.search, [users.username, users.email, users.firstName, users.lastName]),
  ];
  const offset = pageOffset(query);
  const filter = and(...where);
  // One statement: the page read with LIMIT, the total as a scalar subquery (as the catalog does).
  const rows = await db
    .select({
      ...orderSummaryColumns,
      userId: orders.userId,
      username: users.username,
      email: users.email,
      total:
        sql<number>`(SELECT count(*) FROM ${orders} JOIN ${users} ON ${users.id} = ${orders.userId} WHERE ${filter ?? sql`true`})`.mapWith(
          Number,
        ),
    })
    .from(orders)
    .innerJoin(users, eq(users.id, orders.userId))
    .where(filter)
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(query.page_size)
    .offset(offset);
  if (rows.length === 0) await emptyPage(db, query, offset);
  const results = rows.map((r) => ({
    ...orderSummaryJson(r),
    user: r.userId,
    user_name: r.username,
    email: r.email,
  }));
  return { count: rows[0]?.total ?? 0, results };
}

/** The contract's order detail plus the customer's email, the statuses it may move to, and its history. */
export async function adminOrderDetail(db: Sql, id: number) {
  const order = await orderDetail(db, id);
  if (!order) throw notFound();
  const history = await db
    .select({
      fromStatus: orderStatusHistory.fromStatus,
      toStatus: orderStatusHistory.toStatus,
      changedBy: orderStatusHistory.changedBy,
      changedByName: users.username,
      changedAt: orderStatusHistory.changedAt,
    })
    .from(orderStatusHistory)
    .leftJoin(users, eq(users.id, orderStatusHistory.changedBy))
    .where(eq(orderStatusHistory.orderId, id))
    .orderBy(orderStatusHistory.id);
  const [owner] = await db.select({ email: users.email }).from(users).where(eq(users.id, order.user));
  return {
    ...order,
    email: owner?.email ?? "",
    next_statuses: NEXT_STATUSES[order.status],
    history: history.map((h) => ({
      from_status: h.fromStatus,
      to_status: h.toStatus,
      changed_by: h.changedBy,
      changed_by_name: h.changedByName,
      changed_at: h.changedAt.toISOString(),
    })),
  };
}
