import { desc, eq, sql } from "drizzle-orm";
import type * as z from "zod";
import type { Db } from "../../db/client";
import { ORDER_STATUSES, type OrderStatus, orders, users } from "../../db/schema";
import { notFound } from "../../lib/errors";
import { pageOffset } from "../../lib/pagination";
import { searchAll } from "../../lib/search";
import type { CustomersQuery } from "./admin.schemas";
import type { Customer, CustomerSummary } from "./admin.serialize";

/**
 * The outer row's id, always qualified: drizzle writes a single-table select's columns bare
 * (`"id"`), which inside a subquery on orders would mean the order's id.
 */
const userId = sql`${users}.id`;
const ordersOf = sql`(SELECT count(*)::int FROM ${orders} o WHERE o.user_id = ${userId})`;

/** One page of accounts, newest first, with how many orders each placed; `customersPage` renders it. */
export function customersQuery(db: Db, query: CustomersQuery) {
  const where = searchAll(query.search, [users.username, users.email, users.firstName, users.lastName]);
  return db
    .select({
      id: users.id,
      username: users.username,
      email: users.email,
      firstName: users.firstName,
      lastName: users.lastName,
      isStaff: users.isStaff,
      isActive: users.isActive,
      createdAt: users.createdAt,
      ordersCount: sql<number>`${ordersOf}`,
      total: sql<number>`(SELECT count(*) FROM ${users} WHERE ${where ?? sql`true`})`.mapWith(Number),
    })
    .from(users)
    .where(where)
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(query.page_size)
    .offset(pageOffset(query));
}

export function customersPage(rows: Awaited<ReturnType<typeof customersQuery>>): {
  count: number;
  results: z.infer<typeof CustomerSummary>[];
} {
  const results = rows.map((u) => ({
    id: u.id,
    username: u.username,
    email: u.email,
    first_name: u.firstName,
    last_name: u.lastName,
    is_staff: u.isStaff,
    is_active: u.isActive,
    date_joined: u.createdAt.toISOString(),
    orders_count: u.ordersCount,
  }));
  return { count: rows[0]?.total ?? 0, results };
}

/** An account's profile and a summary of its orders (money summed by Postgres, cancelled orders left out). */
export function customerQuery(db: Db, id: number) {
  return db
    .select({
      user: users,
      ordersCount: sql<number>`${ordersOf}`,
      totalSpent: sql<string>`(SELECT round(COALESCE(sum(o.total_price), 0), 2)::text FROM ${orders} o
        WHERE o.user_id = ${userId} AND o.status <> 'cancelled')`,
      lastOrderAt: sql<
        string | null
      >`(SELECT to_char(max(o.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
        FROM ${orders} o WHERE o.user_id = ${userId})`,
      byStatus: sql<Partial<Record<OrderStatus, number>> | null>`(SELECT json_object_agg(s.status, s.n)
        FROM (SELECT o.status, count(*)::int AS n FROM ${orders} o WHERE o.user_id = ${userId} GROUP BY o.status) s)`,
    })
    .from(users)
    .where(eq(users.id, id));
}

export function customerJson([row]: Awaited<ReturnType<typeof customerQuery>>): z.infer<typeof Customer> {
  if (!row) throw notFound();
  const u = row.user;
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    first_name: u.firstName,
    last_name: u.lastName,
    phone_number: u.phoneNumber,
    address: u.address,
    city: u.city,
    postal_code: u.postalCode,
    country: u.country,
    is_staff: u.isStaff,
    is_active: u.isActive,
    date_joined: u.createdAt.toISOString(),
    order_summary: {
      count: row.ordersCount,
      total_spent: row.totalSpent,
      last_order_at: row.lastOrderAt,
      by_status: Object.fromEntries(ORDER_STATUSES.map((s) => [s, row.byStatus?.[s] ?? 0])) as Record<
        OrderStatus,
        number
      >,
    },
  };
}
