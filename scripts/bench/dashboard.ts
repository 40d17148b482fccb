// The dashboard's read (#23): GET /api/admin/stats/ over a shop of many orders, one request at a
// time as a staff member opening the console would make it. Orders are written straight to
// Postgres (spread over the last 90 days, a realistic mix of statuses and 1-3 lines each); the
// route is what is measured, not placing them.
import pg from "pg";
import type { Account } from "./accounts.ts";
import { type Latency, summarize } from "./stats.ts";

export interface DashboardResult {
  orders: number;
  /** The default range (30 days by day, Europe/Berlin) and a week by hour. */
  days: Latency;
  hours: Latency;
  errors: number;
}

/** Adds `count` orders and their lines for the shop's customers; then ANALYZE, as after any bulk load. */
export async function seedOrders(databaseUrl: string, count: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    const before = await client.query<{ id: number }>("SELECT COALESCE(max(id), 0)::int AS id FROM orders");
    // Products are numbered once and picked by number: an array of the catalog in every order's
    // row would be 100,000 x 100,000 elements at the large catalog's size.
    await client.query(
      `CREATE TEMP TABLE bench_goods ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY id)::int AS k, id, price FROM products WHERE NOT is_archived`,
    );
    await client.query("ALTER TABLE bench_goods ADD PRIMARY KEY (k)");
    await client.query(
      `CREATE TEMP TABLE bench_orders ON COMMIT DROP AS
       WITH buyers AS (SELECT array_agg(id) AS ids FROM users WHERE NOT is_staff)
       SELECT g AS n, buyers.ids[1 + (g * 7919) % cardinality(buyers.ids)] AS user_id,
         (ARRAY['pending','processing','shipped','delivered','delivered','delivered','cancelled'])[1 + g % 7] AS status,
         now() - make_interval(secs => (g * 104729) % (90 * 86400)) AS created_at
       FROM generate_series(1, $1::bigint) g, buyers`,
      [count],
    );
    await client.query(
      `WITH made AS (
         INSERT INTO orders (user_id, status, total_price, shipping_address, phone_number, created_at, updated_at)
         SELECT user_id, status, 0, '1 Bench Road, Loadville', '+15550100', created_at, created_at FROM bench_orders ORDER BY n
         RETURNING id),
       numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM made),
       goods AS (SELECT count(*)::int AS c FROM bench_goods),
       lines AS (
         INSERT INTO order_items (order_id, product_id, product_name, quantity, price)
         SELECT m.id, p.id, 'bench item', 1 + (m.n + line) % 3, p.price
         FROM numbered m, goods, generate_series(1, 1 + m.n % 3) line, bench_goods p
         WHERE p.k = 1 + ((m.n * 31 + line * 17) % goods.c)
         RETURNING order_id)
       SELECT count(*) FROM lines`,
    );
    // A statement of its own: the one above cannot see the lines it inserts.
    await client.query(
      `UPDATE orders o SET total_price = t.total
       FROM (SELECT order_id, sum(quantity * price) AS total FROM order_items WHERE order_id > $1 GROUP BY order_id) t
       WHERE o.id = t.order_id`,
      [before.rows[0]!.id],
    );
    await client.query("COMMIT");
    await client.query("ANALYZE orders");
    await client.query("ANALYZE order_items");
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM orders");
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

async function timed(baseUrl: string, path: string, staff: Account, samples: number) {
  const ms: number[] = [];
  let errors = 0;
  // A few first, for the isolate's and Postgres's warm-up.
  for (let i = -3; i < samples; i++) {
    const started = performance.now();
    const res = await fetch(baseUrl + path, { headers: { authorization: `Bearer ${staff.access}` } });
    await res.arrayBuffer();
    if (res.status !== 200) errors++;
    else if (i >= 0) ms.push(performance.now() - started);
  }
  return { latency: summarize(ms), errors };
}

export async function dashboardReads(
  baseUrl: string,
  staff: Account,
  orders: number,
  samples: number,
): Promise<DashboardResult> {
  const days = await timed(baseUrl, "/api/admin/stats/?tz=Europe/Berlin", staff, samples);
  const week = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  const hours = await timed(baseUrl, `/api/admin/stats/?tz=Europe/Berlin&bucket=hour&from=${week}`, staff, samples);
  return { orders, days: days.latency, hours: hours.latency, errors: days.errors + hours.errors };
}
