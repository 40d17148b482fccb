// Runs in the load child: a burst of requests of mixed routes sent all at once, as a crowd arriving
// together would (issue #14: 200 parallel requests answer with no 5xx).

export interface BurstTask {
  kind: "burst";
  baseUrl: string;
  /** Tokens of customers, one per buyer; the calls cycle through them. */
  tokens: string[];
  /** Products with stock to put in carts. */
  productIds: number[];
  count: number;
}

export interface BurstResult {
  requests: number;
  statuses: Record<string, number>;
  /** No answer at all (connection refused, reset, timeout). */
  errors: number;
  ms: number;
}

export async function runBurst(task: BurstTask): Promise<BurstResult> {
  const mixed = (i: number) => {
    const token = task.tokens[i % task.tokens.length]!;
    const product = task.productIds[i % task.productIds.length]!;
    const auth = { authorization: `Bearer ${token}` };
    const json = { ...auth, "content-type": "application/json" };
    switch (i % 8) {
      case 0:
        return { path: `/api/products/?min_price=${(i / 100).toFixed(2)}&ordering=price` };
      case 1:
        return { path: "/api/products/" };
      case 2:
        return { path: `/api/products/${product}/` };
      case 3:
        return { path: "/api/auth/profile/", headers: auth };
      case 4:
        return { path: "/api/orders/cart/", headers: auth };
      case 5:
        return {
          path: "/api/orders/cart/add_item/",
          method: "POST",
          headers: json,
          body: JSON.stringify({ product_id: product, quantity: 1 }),
        };
      case 6:
        return { path: "/api/orders/", headers: auth };
      default:
        return { path: "/api/products/categories/" };
    }
  };
  const statuses: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: task.count }, async (_, i) => {
      const call = mixed(i);
      try {
        const res = await fetch(task.baseUrl + call.path, {
          method: call.method ?? "GET",
          headers: call.headers,
          body: call.body,
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      } catch {
        errors++;
      }
    }),
  );
  return { requests: task.count, statuses, errors, ms: Math.round(performance.now() - started) };
}
