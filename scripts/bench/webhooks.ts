// Placing orders with webhook endpoints subscribed (#20): the same buyers' run with none, then
// with five endpoints on a receiver on loopback, then with none again (the spread of the two
// baselines is the run's noise), and how long every event took to arrive.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { withClient } from "../lib/pg.ts";
import type { Account } from "./accounts.ts";
import { type HotProducts, placeOrders } from "./orders.ts";

export interface WebhooksResult {
  endpoints: number;
  /** Orders/s with no endpoint, before and after the subscribed run. */
  baseline: [number, number];
  subscribed: number;
  /** Subscribed orders/s over the baselines' mean. */
  ratio: number;
  /** Events the subscribed run's orders made, and how many arrived (each endpoint × each order). */
  expected: number;
  received: number;
  /** Seconds from the end of the subscribed run until the last event arrived. */
  drainSeconds: number;
  /** From an event's creation to its arrival at the receiver, ms. */
  lagP50Ms: number;
  lagP99Ms: number;
}

const ENDPOINTS = 5;
const EVENTS = ["order.created", "order.status_changed", "order.cancelled"];

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : Number.NaN;
};

export async function webhooksScenario(opts: {
  baseUrl: string;
  databaseUrl: string;
  staff: Account;
  buyers: Account[];
  hot: HotProducts;
  seconds: number;
  log: (line: string) => void;
}): Promise<WebhooksResult> {
  const lags: number[] = [];
  let last = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const payload = JSON.parse(Buffer.concat(chunks).toString()) as { timestamp: string };
      last = Date.now();
      lags.push(last - Date.parse(payload.timestamp));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    const run = async (label: string) => {
      const placed = await placeOrders(opts.baseUrl, opts.buyers, opts.hot, opts.seconds);
      opts.log(`webhooks: ${label}: ${placed.ordersPerSecond.toFixed(1)} orders/s`);
      return placed;
    };
    const before = await run("no endpoint");
    const ids: number[] = [];
    for (let i = 0; i < ENDPOINTS; i++) {
      const res = await fetch(`${opts.baseUrl}/api/admin/webhooks/`, {
        method: "POST",
        headers: { authorization: `Bearer ${opts.staff.access}`, "content-type": "application/json" },
        body: JSON.stringify({ url: `${url}?n=${i}`, events: EVENTS }),
      });
      if (res.status !== 201) throw new Error(`creating an endpoint: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { id: number }).id);
    }
    const subscribed = await run(`${ENDPOINTS} endpoints`);
    const ended = Date.now();
    const expected = subscribed.orders * ENDPOINTS;
    const deadline = ended + 120_000;
    while (lags.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const received = lags.length;
    await withClient(opts.databaseUrl, (c) => c.query("UPDATE webhook_endpoints SET is_active = false"));
    const after = await run("no endpoint, again");
    const mean = (before.ordersPerSecond + after.ordersPerSecond) / 2;
    return {
      endpoints: ENDPOINTS,
      baseline: [before.ordersPerSecond, after.ordersPerSecond],
      subscribed: subscribed.ordersPerSecond,
      ratio: mean > 0 ? subscribed.ordersPerSecond / mean : Number.NaN,
      expected,
      received,
      drainSeconds: Math.max(0, (last - ended) / 1000),
      lagP50Ms: percentile(lags, 50),
      lagP99Ms: percentile(lags, 99),
    };
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
}

export const webhooksTable = (w: WebhooksResult) =>
  [
    "| Orders/s, no endpoint (before / after) | Orders/s, 5 endpoints | Ratio | Events arrived | Drain after the run | Lag p50 / p99 |",
    "|---|---|---|---|---|---|",
    `| ${w.baseline.map((n) => n.toFixed(1)).join(" / ")} | ${w.subscribed.toFixed(1)} | ${w.ratio.toFixed(2)}x | ${w.received} of ${w.expected} | ${w.drainSeconds.toFixed(1)} s | ${w.lagP50Ms} / ${w.lagP99Ms} ms |`,
  ].join("\n");
