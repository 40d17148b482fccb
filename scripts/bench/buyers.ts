// Runs in the load child: concurrent buyers, each refilling a cart and placing it, for a fixed time.
import { type Latency, round, summarize } from "./stats.ts";

export interface BuyersTask {
  kind: "buyers";
  baseUrl: string;
  /** One access token per buyer; every buyer runs its own loop concurrently. */
  tokens: string[];
  /** Products to buy from; a small set, so buyers contend for the same rows. */
  productIds: number[];
  linesPerCart: number;
  seconds: number;
}

export interface BuyersResult {
  orders: number;
  ordersPerSecond: number;
  /** POST /api/orders/ latency of placed orders (201). */
  place: Latency;
  /** One refill + placement, as a buyer feels it. */
  cycle: Latency;
  /** Expected refusals: a line was short of stock (add_item 400, or the order's 400 out of stock). */
  outOfStock: number;
  /** Anything else outside 2xx, and failed requests, by "route status". */
  errors: number;
  errorsBy: Record<string, number>;
  /** Quantities per product as the 201 responses reported them, to check against the database. */
  ordered: Record<string, number>;
}

interface OrderBody {
  order?: { items?: { product: number | null; quantity: number }[] };
  detail?: string;
  product_id?: number;
}

export async function runBuyers(task: BuyersTask): Promise<BuyersResult> {
  const deadline = performance.now() + task.seconds * 1000;
  const started = performance.now();
  const place: number[] = [];
  const cycle: number[] = [];
  const errorsBy: Record<string, number> = {};
  const ordered: Record<string, number> = {};
  const depleted = new Set<number>();
  let outOfStock = 0;

  const error = (what: string) => (errorsBy[what] = (errorsBy[what] ?? 0) + 1);
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    try {
      const res = await fetch(task.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as OrderBody };
    } catch (err) {
      error(`${method} ${path} ${(err as Error).name}`);
      return null;
    }
  };

  async function buyer(token: string, n: number): Promise<void> {
    let seed = n * 7919 + 1;
    const random = (k: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % k;
    };
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const available = task.productIds.filter((id) => !depleted.has(id));
      if (available.length < task.linesPerCart) return;
      const picked = new Set<number>();
      while (picked.size < task.linesPerCart) picked.add(available[random(available.length)]!);
      for (const product_id of picked) {
        const res = await call(token, "POST", "/api/orders/cart/add_item/", { product_id, quantity: 1 + random(2) });
        if (res?.status === 400) {
          outOfStock++;
          depleted.add(product_id);
        } else if (res && res.status !== 200) error(`add_item ${res.status}`);
      }
      const t1 = performance.now();
      const res = await call(token, "POST", "/api/orders/", {
        shipping_address: `${n} Benchmark Street, Testville`,
        phone_number: "+15550100",
      });
      const t2 = performance.now();
      if (!res) continue;
      if (res.status === 201) {
        place.push(t2 - t1);
        cycle.push(t2 - t0);
        for (const item of res.body.order?.items ?? [])
          ordered[String(item.product)] = (ordered[String(item.product)] ?? 0) + item.quantity;
      } else {
        if (res.status === 400 && /out of stock/.test(res.body.detail ?? "")) {
          outOfStock++;
          if (res.body.product_id) depleted.add(res.body.product_id);
        } else if (!(res.status === 400 && res.body.detail === "Cart is empty")) error(`place ${res.status}`);
        // Start the next cycle from an empty cart.
        const cleared = await call(token, "DELETE", "/api/orders/cart/clear/");
        if (cleared && cleared.status !== 200) error(`clear ${cleared.status}`);
      }
    }
  }

  await Promise.all(task.tokens.map((token, i) => buyer(token, i)));
  const seconds = (performance.now() - started) / 1000;
  return {
    orders: place.length,
    ordersPerSecond: round(place.length / seconds, 1),
    place: summarize(place),
    cycle: summarize(cycle),
    outOfStock,
    errors: Object.values(errorsBy).reduce((a, b) => a + b, 0),
    errorsBy,
    ordered,
  };
}
