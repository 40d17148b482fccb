import { sql } from "drizzle-orm";
import type * as z from "zod";
import type { Db } from "../../db/client";
import { ORDER_STATUSES, type OrderStatus } from "../../db/schema";
import { iso } from "../orders/orders.service";
import type { StatsQuery } from "./stats.schemas";
import type { Stats, StatsPoint, TopProduct } from "./stats.serialize";

/** Products under this stock count as low, as `GET /api/products/low_stock/` by default. */
export const LOW_STOCK_BELOW = 10;
const TOP = 10;

const at = (column: string) => iso(sql.raw(column));
/** Money summed by Postgres, as the contract writes it ("0.00" for none). */
const cash = (expression: string) => sql.raw(`round(COALESCE(${expression}, 0), 2)::text`);
/** The ten best lines by `order`, as JSON. */
const top = (order: string) =>
  sql.raw(`(SELECT json_agg(json_build_object('product', product, 'name', name, 'units', units,
  'revenue', round(revenue, 2)::text) ORDER BY ${order}) FROM (SELECT * FROM lines ORDER BY ${order} LIMIT ${TOP}) t)`);

type Row = {
  from: string;
  to: string;
  since: string;
  series: z.infer<typeof StatsPoint>[];
  totals: { orders: number; revenue: string; cancelled: number; average_order_value: string; new_customers: number };
  today: { orders: number; revenue: string; cancelled: number };
  by_status: Partial<Record<OrderStatus, number>> | null;
  by_units: z.infer<typeof TopProduct>[] | null;
  by_revenue: z.infer<typeof TopProduct>[] | null;
  stock: { low: number; out: number };
  carts: { count: number; items: number; value: string };
};

/**
 * The dashboard's figures, for one batch: the first statement sets the transaction's time zone, so
 * every `date_trunc`, date cast and interval step after it is in `tz` (days of 23 or 25 hours
 * included), and the second reads everything in one statement. Every scan of orders is a range of
 * `orders_created_idx`; users' of `users_created_idx`; stock counts read `products_stock_idx`.
 */
export function statsQueries(db: Db, q: StatsQuery) {
  const zone = db.execute(sql`SELECT set_config('TimeZone', ${q.tz}::text, true)`);
  const bucket = sql`${q.bucket}::text`;
  const figures = db.execute<Row>(sql`
    WITH hi AS (
      SELECT CASE WHEN ${q.to}::text IS NULL THEN now()
        WHEN length(${q.to}::text) = 10 THEN (${q.to}::date + 1)::timestamptz
        ELSE ${q.to}::timestamptz END AS hi),
    bounds AS (
      SELECT CASE WHEN ${q.from}::text IS NULL THEN hi - interval '30 days'
        WHEN length(${q.from}::text) = 10 THEN ${q.from}::date::timestamptz
        ELSE ${q.from}::timestamptz END AS lo, hi FROM hi),
    buckets AS (
      SELECT b AS start FROM bounds,
        generate_series(date_trunc(${bucket}, lo), hi - interval '1 microsecond', ('1 ' || ${bucket})::interval) b),
    ranged AS NOT MATERIALIZED (SELECT o.* FROM orders o, bounds WHERE o.created_at >= lo AND o.created_at < hi),
    placed AS (
      SELECT date_trunc(${bucket}, created_at) AS start,
        count(*) FILTER (WHERE status <> 'cancelled')::int AS orders,
        sum(total_price) FILTER (WHERE status <> 'cancelled') AS revenue,
        count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
      FROM ranged GROUP BY 1),
    joined AS (
      SELECT date_trunc(${bucket}, u.created_at) AS start, count(*)::int AS n
      FROM users u, bounds WHERE u.created_at >= lo AND u.created_at < hi AND NOT u.is_staff GROUP BY 1),
    points AS (
      SELECT b.start, COALESCE(p.orders, 0) AS orders, p.revenue, COALESCE(p.cancelled, 0) AS cancelled,
        COALESCE(j.n, 0) AS new_customers
      FROM buckets b LEFT JOIN placed p USING (start) LEFT JOIN joined j USING (start)),
    lines AS (
      SELECT oi.product_id AS product, COALESCE(min(p.name), min(oi.product_name)) AS name,
        sum(oi.quantity)::int AS units, sum(oi.price * oi.quantity) AS revenue
      FROM ranged o JOIN order_items oi ON oi.order_id = o.id LEFT JOIN products p ON p.id = oi.product_id
      WHERE o.status <> 'cancelled'
      GROUP BY oi.product_id, CASE WHEN oi.product_id IS NULL THEN oi.product_name END),
    today AS (
      SELECT count(*) FILTER (WHERE status <> 'cancelled')::int AS orders,
        sum(total_price) FILTER (WHERE status <> 'cancelled') AS revenue,
        count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
      FROM orders WHERE created_at >= date_trunc('day', now()))
    SELECT ${at("lo")} AS "from", ${at("hi")} AS "to", ${at("date_trunc('day', now())")} AS since,
      (SELECT json_agg(json_build_object('start', ${at("start")},
          'local', to_char(start, CASE WHEN ${bucket} = 'day' THEN 'YYYY-MM-DD' ELSE 'YYYY-MM-DD"T"HH24:MI' END),
          'orders', orders, 'revenue', ${cash("revenue")}, 'cancelled', cancelled, 'new_customers', new_customers)
        ORDER BY start) FROM points) AS series,
      (SELECT json_build_object('orders', COALESCE(sum(orders), 0)::int, 'revenue', ${cash("sum(revenue)")},
          'cancelled', COALESCE(sum(cancelled), 0)::int,
          'average_order_value', ${cash("sum(revenue) / NULLIF(sum(orders), 0)")},
          'new_customers', COALESCE(sum(new_customers), 0)::int) FROM points) AS totals,
      (SELECT json_build_object('orders', orders, 'revenue', ${cash("revenue")}, 'cancelled', cancelled) FROM today) AS today,
      (SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM orders GROUP BY status) s) AS by_status,
      ${top("units DESC, revenue DESC, product")} AS by_units, ${top("revenue DESC, units DESC, product")} AS by_revenue,
      (SELECT json_build_object('low', count(*) FILTER (WHERE stock > 0 AND stock < ${LOW_STOCK_BELOW}::int)::int,
          'out', count(*) FILTER (WHERE stock = 0)::int)
        FROM products WHERE NOT is_archived AND stock < ${LOW_STOCK_BELOW}::int) AS stock,
      (SELECT json_build_object('count', count(DISTINCT ci.cart_id)::int, 'items', COALESCE(sum(ci.quantity), 0)::int,
          'value', ${cash("sum(p.price * ci.quantity)")})
        FROM cart_items ci JOIN products p ON p.id = ci.product_id AND NOT p.is_archived) AS carts
    FROM bounds`);
  return [zone, figures] as const;
}

/** The figures as the route answers them: every status named, absent lists empty. */
export function statsJson([, figures]: [unknown, { rows: Row[] }], q: StatsQuery): z.infer<typeof Stats> {
  const r = figures.rows[0]!;
  return {
    from: r.from,
    to: r.to,
    bucket: q.bucket,
    tz: q.tz,
    series: r.series,
    totals: r.totals,
    today: { since: r.since, ...r.today },
    orders_by_status: Object.fromEntries(ORDER_STATUSES.map((s) => [s, r.by_status?.[s] ?? 0])) as Record<
      OrderStatus,
      number
    >,
    top_products: { by_units: r.by_units ?? [], by_revenue: r.by_revenue ?? [] },
    stock: { ...r.stock, low_below: LOW_STOCK_BELOW },
    open_carts: r.carts,
  };
}
