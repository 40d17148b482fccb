import { sql } from "drizzle-orm";
import type * as z from "zod";
import type { Db } from "../../db/client";
import { ORDER_STATUSES, type OrderStatus } from "../../db/schema";
import type { StatsQuery } from "./stats.schemas";
import type { Stats } from "./stats.serialize";

/** Products under this stock count as low, as `GET /api/products/low_stock/` by default. */
export const LOW_STOCK_BELOW = 10;
const TOP = 10;

type Figures = Omit<z.infer<typeof Stats>, "bucket" | "tz" | "today" | "orders_by_status" | "top_products"> & {
  since: string;
  today: { orders: number; revenue: string; cancelled: number };
  orders_by_status: Partial<Record<OrderStatus, number>> | null;
  by_units: z.infer<typeof Stats>["top_products"]["by_units"];
  by_revenue: z.infer<typeof Stats>["top_products"]["by_revenue"];
};

/**
 * The dashboard's figures in one statement, for a batch: `shop_stats` (migrations/0007) sets the
 * transaction's time zone to `tz` and reads every figure from indexed ranges.
 */
export const statsQuery = (db: Db, q: StatsQuery) =>
  db.execute<{ stats: Figures }>(
    sql`SELECT shop_stats(${q.tz}::text, ${q.bucket}::text, ${q.from}::text, ${q.to}::text, ${LOW_STOCK_BELOW}::int, ${TOP}::int) AS stats`,
  );

/** The figures as the route answers them: every status named. */
export function statsJson({ rows }: { rows: { stats: Figures }[] }, q: StatsQuery): z.infer<typeof Stats> {
  const { since, today, by_units, by_revenue, orders_by_status, ...rest } = rows[0]!.stats;
  return {
    ...rest,
    bucket: q.bucket,
    tz: q.tz,
    today: { since, ...today },
    orders_by_status: Object.fromEntries(ORDER_STATUSES.map((s) => [s, orders_by_status?.[s] ?? 0])) as Record<
      OrderStatus,
      number
    >,
    top_products: { by_units, by_revenue },
  };
}
