// The edge scenario (`npm run bench -- --rtt 40`): the routes of issue #14's table, one request at
// a time, with a delay between the Worker and Postgres/Redis (delay.ts). Each route's latency is
// read as the floor (GET /api/, no I/O) plus so many round trips, and its trips are counted at the
// wire by the stand-ins (the background work after the answer included).
import type { NeonHttp } from "../local/neon-http.ts";
import type { UpstashRest } from "../local/upstash-rest.ts";
import type { Account } from "./accounts.ts";
import { percentile } from "./stats.ts";

export interface EdgeRow {
  route: string;
  samples: number;
  p50: number;
  /** (p50 − floor p50) / RTT: the round trips the user waits for. */
  rtt: number;
  postgres: number;
  redis: number;
}

export interface EdgeResult {
  rttMs: number;
  floorP50: number;
  rows: EdgeRow[];
}

interface Call {
  method: string;
  path: string;
  token?: string;
  body?: unknown;
}

async function send(baseUrl: string, call: Call): Promise<{ status: number; body: unknown }> {
  const res = await fetch(baseUrl + call.path, {
    method: call.method,
    headers: {
      ...(call.token ? { authorization: `Bearer ${call.token}` } : {}),
      ...(call.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Waits for the stand-ins' counters to stop moving: the request's background work has landed. */
async function settled(count: () => number): Promise<number> {
  let last = count();
  for (;;) {
    await new Promise((r) => setTimeout(r, 150));
    const now = count();
    if (now === last) return now;
    last = now;
  }
}

export async function edgeScenario(opts: {
  baseUrl: string;
  neon: NeonHttp;
  upstash: UpstashRest;
  /** The first segment of the bench Worker's Redis keys. */
  redisSegment: string;
  customer: Account;
  staff: Account;
  productIds: number[];
  rttMs: number;
  samples: number;
  log: (line: string) => void;
}): Promise<EdgeResult> {
  const { baseUrl, customer, staff, samples } = opts;
  const counters = () => ({ postgres: opts.neon.trips(), redis: opts.upstash.trips(opts.redisSegment) });

  async function measure(route: string, calls: (i: number) => Promise<Call>): Promise<EdgeRow> {
    const times: number[] = [];
    let postgres = 0;
    let redis = 0;
    for (let i = 0; i < samples; i++) {
      const call = await calls(i);
      await settled(() => counters().postgres + counters().redis);
      const before = counters();
      const started = performance.now();
      const { status, body } = await send(baseUrl, call);
      times.push(performance.now() - started);
      if (status >= 300) throw new Error(`edge: ${call.method} ${call.path} → ${status} ${JSON.stringify(body)}`);
      await settled(() => counters().postgres + counters().redis);
      const after = counters();
      postgres += after.postgres - before.postgres;
      redis += after.redis - before.redis;
    }
    const p50 = percentile(
      [...times].sort((a, b) => a - b),
      50,
    );
    opts.log(`  ${route}: p50 ${p50.toFixed(1)} ms`);
    return { route, samples, p50, rtt: 0, postgres: postgres / samples, redis: redis / samples };
  }

  const [product, other] = opts.productIds as [number, number];
  const rows: EdgeRow[] = [];
  const floor = await measure("floor: GET /api/ (no I/O)", async () => ({ method: "GET", path: "/api/" }));
  // Warmed first (a key's first read stores nothing, the second does): what a shopper meets most of the time.
  for (const path of ["/api/products/", `/api/products/${product}/`])
    for (let i = 0; i < 2; i++) await send(baseUrl, { method: "GET", path });
  rows.push(await measure("cached GET /api/products/", async () => ({ method: "GET", path: "/api/products/" })));
  rows.push(
    await measure("cached GET /api/products/{id}/", async () => ({ method: "GET", path: `/api/products/${product}/` })),
  );
  rows.push(
    await measure("uncached filtered list", async (i) => ({
      method: "GET",
      path: `/api/products/?ordering=price&min_price=${(1 + i / 100).toFixed(2)}&in_stock=true`,
    })),
  );
  rows.push(
    await measure("GET /api/auth/profile/", async () => ({
      method: "GET",
      path: "/api/auth/profile/",
      token: customer.access,
    })),
  );
  rows.push(
    await measure("GET /api/orders/cart/", async () => ({
      method: "GET",
      path: "/api/orders/cart/",
      token: customer.access,
    })),
  );
  rows.push(
    await measure("POST cart/add_item/", async () => ({
      method: "POST",
      path: "/api/orders/cart/add_item/",
      token: customer.access,
      body: { product_id: other, quantity: 1 },
    })),
  );
  const placed: number[] = [];
  rows.push(
    await measure("POST /api/orders/", async () => {
      await send(baseUrl, {
        method: "POST",
        path: "/api/orders/cart/add_item/",
        token: customer.access,
        body: { product_id: product, quantity: 1 },
      });
      return {
        method: "POST",
        path: "/api/orders/",
        token: customer.access,
        body: { shipping_address: "1 Edge Road, Far Away", phone_number: "+15550102" },
      };
    }),
  );
  for (let i = 0; i < samples; i++) {
    await send(baseUrl, {
      method: "POST",
      path: "/api/orders/cart/add_item/",
      token: customer.access,
      body: { product_id: product, quantity: 1 },
    });
    const { body } = await send(baseUrl, {
      method: "POST",
      path: "/api/orders/",
      token: customer.access,
      body: { shipping_address: "1 Edge Road, Far Away", phone_number: "+15550102" },
    });
    placed.push((body as { order: { id: number } }).order.id);
  }
  rows.push(
    await measure("PATCH …/update_status/", async (i) => ({
      method: "PATCH",
      path: `/api/orders/${placed[i]}/update_status/`,
      token: staff.access,
      body: { status: "processing" },
    })),
  );
  for (const row of rows) row.rtt = Math.round(((row.p50 - floor.p50) / opts.rttMs) * 10) / 10;
  return { rttMs: opts.rttMs, floorP50: floor.p50, rows };
}

/** A mean count of trips per request, as few digits as it needs. */
const trips = (n: number) => String(Math.round(n * 100) / 100);

export function edgeTable(result: EdgeResult): string {
  const lines = [
    `| request (${result.rttMs} ms RTT to Postgres and Redis; floor p50 ${result.floorP50.toFixed(1)} ms) | p50 ms | above the floor | Postgres trips | Redis trips |`,
    "|---|---:|---:|---:|---:|",
  ];
  for (const r of result.rows)
    lines.push(`| ${r.route} | ${r.p50.toFixed(1)} | ${r.rtt} RTT | ${trips(r.postgres)} | ${trips(r.redis)} |`);
  return lines.join("\n");
}
