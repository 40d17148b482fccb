import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type * as z from "zod";
import type { Db } from "../../db/client";
import { orderStatusHistory, orders, users } from "../../db/schema";
import { fieldError, notFound } from "../../lib/errors";
import { INVALID_CHOICE } from "../../lib/fields";
import { pageOffset } from "../../lib/pagination";
import { searchAll } from "../../lib/search";
import { orderSummaryJson } from "../orders/orders.serialize";
import { orderJson, orderSummaryColumns } from "../orders/orders.service";
import { NEXT_STATUSES } from "../orders/status.service";
import type { AdminOrdersQuery } from "./admin.schemas";
import type { StaffOrder, StaffOrderSummary } from "./admin.serialize";

/** One page of orders, newest first, with who placed each; searchable by the customer's names and email. */
export function adminOrdersQueries(db: Db, query: AdminOrdersQuery) {
  const where: (SQL | undefined)[] = [
    query.status ? eq(orders.status, query.status) : undefined,
    query.user !== undefined ? eq(orders.userId, query.user) : undefined,
    searchAll(query.search, [users.username, users.email, users.firstName, users.lastName]),
  ];
  const filter = and(...where);
  // One statement: the page read with LIMIT, the total as a scalar subquery (as the catalog does).
  const page = db
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
    .offset(pageOffset(query));
  // Why a page may be empty: an unknown `user` is an invalid choice (as on /api/orders/).
  const known = db.execute<{ known: boolean }>(
    sql`SELECT EXISTS (SELECT 1 FROM users WHERE id = ${query.user ?? 0}::int) AS known`,
  );
  return [page, known] as const;
}

type Listed = [Awaited<ReturnType<typeof adminOrdersQueries>[0]>, Awaited<ReturnType<typeof adminOrdersQueries>[1]>];

export function adminOrdersPage(
  [rows, known]: Listed,
  query: AdminOrdersQuery,
): { count: number; results: z.infer<typeof StaffOrderSummary>[] } {
  if (rows.length === 0 && query.user !== undefined && !known.rows[0]?.known) throw fieldError("user", INVALID_CHOICE);
  const results = rows.map((r) => ({
    ...orderSummaryJson(r),
    user: r.userId,
    user_name: r.username,
    email: r.email,
  }));
  return { count: rows[0]?.total ?? 0, results };
}

/** The order, its customer's email and its history, for one batch. */
export function adminOrderQueries(db: Db, id: number) {
  const detail = db
    .select({ order: orderJson, email: users.email })
    .from(orders)
    .innerJoin(users, eq(users.id, orders.userId))
    .where(eq(orders.id, id));
  const history = db
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
  return [detail, history] as const;
}

type Detailed = [Awaited<ReturnType<typeof adminOrderQueries>[0]>, Awaited<ReturnType<typeof adminOrderQueries>[1]>];

/** The contract's order detail plus the customer's email, the statuses it may move to, and its history. */
export function adminOrderJson([[found], history]: Detailed): z.infer<typeof StaffOrder> {
  if (!found) throw notFound();
  const { order, email } = found;
  return {
    ...order,
    email,
    next_statuses: [...NEXT_STATUSES[order.status]],
    history: history.map((h) => ({
      from_status: h.fromStatus,
      to_status: h.toStatus,
      changed_by: h.changedBy,
      changed_by_name: h.changedByName,
      changed_at: h.changedAt.toISOString(),
    })),
  };
}
