// Order placement under contention, the no-oversell check, and round trips per order.
import { withClient } from "../lib/pg.ts";
import type { NeonHttp } from "../local/neon-http.ts";
import type { Account } from "./accounts.ts";
import type { BuyersResult } from "./buyers.ts";
import { inChild } from "./driver.ts";
import { type CpuShare, ourCpuDuring } from "./machine.ts";

export interface HotProducts {
  ids: number[];
  scarce: number[];
  initial: Map<number, number>;
  /** Other products, with stock, for the round-trip count (never bought by the buyers). */
  spare: number[];
}

/**
 * A small set of products every buyer draws from (so they contend for the same rows): most with
 * ample stock, a few with so little that they sell out during the run and the refusal path runs too.
 * Set straight in SQL before any order exists; nothing reads the catalog cache afterwards.
 */
export function prepareProducts(databaseUrl: string, count: number, scarce: number): Promise<HotProducts> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: number }>(
      "SELECT id FROM products WHERE NOT is_archived ORDER BY id LIMIT $1 OFFSET 100",
      [count + 10],
    );
    const ids = rows.slice(0, count).map((r) => r.id);
    const spare = rows.slice(count).map((r) => r.id);
    const few = ids.slice(0, scarce);
    await client.query(
      "UPDATE products SET stock = CASE WHEN id = ANY($2::int[]) THEN 12 ELSE 100000 END WHERE id = ANY($1::int[])",
      [[...ids, ...spare], few],
    );
    const stock = await client.query<{ id: number; stock: number }>(
      "SELECT id, stock FROM products WHERE id = ANY($1::int[])",
      [ids],
    );
    return { ids, scarce: few, spare, initial: new Map(stock.rows.map((r) => [r.id, r.stock])) };
  });
}

/** The buyers' run, and our processes' CPU per placed order (its three add_item calls included). */
export async function placeOrders(
  baseUrl: string,
  buyers: Account[],
  hot: HotProducts,
  seconds: number,
): Promise<BuyersResult & { cpuMsPerOrder: number | null; cpu: CpuShare | null }> {
  const { result, cpuMs, share } = await ourCpuDuring(() =>
    inChild(
      { kind: "buyers", baseUrl, tokens: buyers.map((b) => b.access), productIds: hot.ids, linesPerCart: 3, seconds },
      (seconds + 60) * 1000,
    ),
  );
  return {
    ...result,
    cpuMsPerOrder: cpuMs === null || result.orders === 0 ? null : Math.round((cpuMs / result.orders) * 100) / 100,
    cpu: share,
  };
}

export interface StockCheck {
  pass: boolean;
  products: number;
  unitsSold: number;
  soldOut: number;
  problems: string[];
}

/**
 * After the run, per product: stock >= 0, initial − current = the quantities in the database's
 * order lines of this run, = the quantities the 201 responses reported.
 */
export function verifyStock(
  databaseUrl: string,
  hot: HotProducts,
  buyers: Account[],
  result: BuyersResult,
): Promise<StockCheck> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: number; stock: number; ordered: number }>(
      `SELECT p.id, p.stock, COALESCE(sum(oi.quantity), 0)::int AS ordered
       FROM products p
       LEFT JOIN order_items oi ON oi.product_id = p.id
         AND oi.order_id IN (SELECT id FROM orders WHERE user_id = ANY($2::int[]))
       WHERE p.id = ANY($1::int[]) GROUP BY p.id ORDER BY p.id`,
      [hot.ids, buyers.map((b) => b.id)],
    );
    const problems: string[] = [];
    let unitsSold = 0;
    let soldOut = 0;
    for (const r of rows) {
      const initial = hot.initial.get(r.id)!;
      const reported = result.ordered[String(r.id)] ?? 0;
      unitsSold += r.ordered;
      if (r.stock === 0) soldOut++;
      if (r.stock < 0) problems.push(`product ${r.id}: stock ${r.stock} < 0`);
      if (initial - r.stock !== r.ordered)
        problems.push(`product ${r.id}: stock fell by ${initial - r.stock} but order lines hold ${r.ordered}`);
      if (reported !== r.ordered)
        problems.push(`product ${r.id}: responses reported ${reported} ordered, order lines hold ${r.ordered}`);
    }
    if (rows.length !== hot.ids.length) problems.push(`${hot.ids.length - rows.length} products went missing`);
    return { pass: problems.length === 0, products: rows.length, unitsSold, soldOut, problems };
  });
}

export interface RoundTrips {
  lines: number;
  /** HTTP requests the Worker sent Neon's endpoint before the answer and after it (waitUntil): one round trip each. */
  roundTrips: number;
  status: number;
}

/** Waits until the endpoint has had no request for a moment: the order's background work is done. */
async function quiet(neon: NeonHttp): Promise<number> {
  const deadline = Date.now() + 10_000;
  let last = neon.trips();
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = neon.trips();
    if (now === last) return now;
    if (Date.now() > deadline) throw new Error("Neon endpoint did not go quiet");
    last = now;
  }
}

/**
 * Places one order of `lines` lines on a quiet stack and counts, at the local Neon endpoint,
 * every Postgres round trip it caused: the placement's batch and the after-commit outbox marking.
 */
export async function measureRoundTrips(
  baseUrl: string,
  neon: NeonHttp,
  buyer: Account,
  productIds: number[],
  lines: number,
): Promise<RoundTrips> {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${buyer.access}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  };
  await call("DELETE", "/api/orders/cart/clear/");
  for (const product_id of productIds.slice(0, lines)) {
    const status = await call("POST", "/api/orders/cart/add_item/", { product_id, quantity: 1 });
    if (status !== 200) throw new Error(`round trips: add_item ${product_id} → ${status}`);
  }
  const before = await quiet(neon);
  const status = await call("POST", "/api/orders/", {
    shipping_address: "1 Round Trip Road, Testville",
    phone_number: "+15550101",
  });
  const after = await quiet(neon);
  return { lines, roundTrips: after - before, status };
}
