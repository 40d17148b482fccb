// Redis unreachable from inside workerd: every Redis-backed path (rate limits, catalog reads and
// invalidations, health) must answer, leave no promise rejection unhandled, and try Redis once
// per call. Why workerd still prints "Uncaught (in promise) Error: Network connection lost" for
// these calls is in the README (Reliability and security suite): it is the runtime's own log of a
// failed connection, printed even when the rejection is caught, not an unhandled promise.
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import { Cache } from "../../src/lib/cache";
import { loginWindow, Throttle } from "../../src/lib/throttle";
import { at, ID, read } from "../harness/client";
import { makeCategory, makeProduct, makeUser, signUp } from "../harness/fixtures";
import { useWorker } from "./support";

const DOWN = { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: "t" };

const w = useWorker();

/** Runs `work` while counting unhandled rejections and fetches to the dead Redis endpoint. */
async function watch(work: () => Promise<void>) {
  const unhandled: string[] = [];
  const onUnhandled = (e: PromiseRejectionEvent) => void unhandled.push(String(e.reason));
  const realFetch = globalThis.fetch;
  let attempts = 0;
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    if (String(input instanceof Request ? input.url : input).startsWith(DOWN.UPSTASH_REDIS_REST_URL)) attempts++;
    return realFetch(input, init);
  }) as typeof fetch;
  addEventListener("unhandledrejection", onUnhandled);
  try {
    await work();
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    removeEventListener("unhandledrejection", onUnhandled);
    globalThis.fetch = realFetch;
  }
  return { unhandled, attempts };
}

describe("Redis unreachable", () => {
  it("answers login, register, catalog reads and writes and health, leaving no rejection unhandled", async () => {
    const staff = await makeUser(w, { staff: true });
    const category = await makeCategory(w, "Down");
    const product = await makeProduct(w, { name: "Lamp", price: "5.00", stock: 3, category });
    const { unhandled } = await watch(async () => {
      const api = w.client({ env: DOWN }).api;
      const name = `down_${crypto.randomUUID().slice(0, 6)}`;
      const reg = await api.auth.register.$post({ json: signUp(name, "down-pass-1", "x.io") });
      expect(reg.status).toBe(201);
      expect((await api.auth.login.$post({ json: { username: name, password: "wrong-pass" } })).status).toBe(401);
      expect((await api.auth.login.$post({ json: { username: name, password: "down-pass-1" } })).status).toBe(200);
      for (const get of [
        () => api.products.$get({ query: {} }),
        () => api.products[ID].$get(at(product)),
        () => api.products.categories.$get(),
      ]) {
        const res = await get();
        expect([res.status, res.headers.get("x-cache")]).toEqual([200, "BYPASS"]);
      }
      expect(
        (await w.as(staff, { env: DOWN }).products[ID].$patch({ ...at(product), json: { stock: 4 } })).status,
      ).toBe(200);
      const health = await read(api.health.$get());
      expect(health.body).toMatchObject({ status: "degraded", cache: "down" });
    });
    expect(unhandled).toEqual([]);
  });

  it("tries Redis once per call, not twice", async () => {
    const config = readConfig({ ...w.env, ...DOWN });
    const cache = new Cache(config, "once");
    const { attempts } = await watch(async () => {
      expect(await cache.tryMget(["k"])).toBeNull();
    });
    expect(attempts).toBe(1);
    const throttle = new Throttle(cache, "login:user", 10, loginWindow);
    const limited = await watch(async () => {
      await throttle.reserve("someone");
    });
    expect(limited.attempts).toBe(1);
  });
});
