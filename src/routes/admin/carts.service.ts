import { sql } from "drizzle-orm";
import type * as z from "zod";
import type { Db } from "../../db/client";
import { type PageRequest, pageOffset } from "../../lib/pagination";
import { iso } from "../orders/orders.service";
import type { OpenCart } from "./admin.serialize";

const at = (column: string) => iso(sql.raw(column));

type Row = z.infer<typeof OpenCart> & { total_count: number };

/**
 * One page of open carts (at least one line of a catalog product; archived products leave a cart
 * as they leave its owner's view), latest activity first, with their lines and the count of all.
 */
export const openCartsQuery = (db: Db, query: PageRequest) =>
  db.execute<Row>(sql`
    SELECT c.id, c.user_id AS "user", u.username AS user_name, u.email,
      json_agg(json_build_object('product', p.id, 'product_name', p.name, 'quantity', ci.quantity,
        'price', p.price::text, 'subtotal', (p.price * ci.quantity)::text, 'added_at', ${at("ci.added_at")})
        ORDER BY ci.added_at, ci.id) AS items,
      sum(ci.quantity)::int AS item_count, round(sum(p.price * ci.quantity), 2)::text AS total,
      ${at("min(ci.added_at)")} AS opened_at, ${at("max(ci.added_at)")} AS updated_at,
      (count(*) OVER ())::int AS total_count
    FROM carts c JOIN users u ON u.id = c.user_id
      JOIN cart_items ci ON ci.cart_id = c.id JOIN products p ON p.id = ci.product_id AND NOT p.is_archived
    GROUP BY c.id, u.id
    ORDER BY max(ci.added_at) DESC, c.id DESC
    LIMIT ${query.page_size}::int OFFSET ${pageOffset(query)}::int`);

/** The page's carts and the count of all; `toPage` answers a page past the end with 404. */
export function openCartsPage({ rows }: { rows: Row[] }) {
  return { count: rows[0]?.total_count ?? 0, results: rows.map(({ total_count: _, ...cart }) => cart) };
}
