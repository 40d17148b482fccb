import * as z from "zod";
import { ORDER_STATUSES } from "../../db/schema";
import { count, id, money, timestamp } from "../../openapi/schemas";
import { BUCKETS } from "./stats.schemas";

/* What `GET /api/admin/stats/` answers; README "Staff console" says what each figure counts. */

export const StatsPoint = z
  .object({
    start: timestamp,
    local: z.string().meta({ description: "The start in `tz`: `2026-12-01` or `2026-12-01T14:00`" }),
    orders: count.meta({ description: "Not cancelled" }),
    revenue: money,
    cancelled: count,
    new_customers: count,
  })
  .meta({ id: "StatsPoint" });

export const TopProduct = z
  .object({ product: id.nullable(), name: z.string(), units: count, revenue: money })
  .meta({ id: "TopProduct" });
const sales = { orders: count, revenue: money, cancelled: count };

export const Stats = z
  .object({
    from: timestamp,
    to: timestamp,
    bucket: z.enum(BUCKETS),
    tz: z.string(),
    series: z.array(StatsPoint),
    totals: z.object({ ...sales, average_order_value: money, new_customers: count }),
    today: z.object({ since: timestamp, ...sales }),
    orders_by_status: z.record(z.enum(ORDER_STATUSES), count),
    top_products: z.object({ by_units: z.array(TopProduct), by_revenue: z.array(TopProduct) }),
    stock: z.object({ low: count, out: count, low_below: count }),
    open_carts: z.object({ count, items: count, value: money }),
  })
  .meta({ id: "Stats" });
