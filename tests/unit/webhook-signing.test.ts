// Our signatures as the `standardwebhooks` package, which receivers use, verifies them.
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { retryDelay, STANDARD_SCHEDULE } from "../../src/webhooks/schedule.ts";
import { newSecret, signedHeaders } from "../../src/webhooks/signing.ts";

describe("Standard Webhooks signatures", () => {
  it("verify with the package, with either secret while both sign", async () => {
    const [current, previous] = [newSecret(), newSecret()];
    const body = JSON.stringify({ id: "e1", type: "order.created", data: { order: { id: 1, total_price: "19.99" } } });
    const headers = await signedHeaders([current, previous], "e1", new Date(), body);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    for (const secret of [current, previous]) expect(new Webhook(secret).verify(body, { ...headers })).toBeTruthy();
    expect(() => new Webhook(newSecret()).verify(body, { ...headers })).toThrow();
  });

  it("refuse a changed body, another id, or an old timestamp", async () => {
    const secret = newSecret();
    const body = '{"a":1}';
    const headers = { ...(await signedHeaders([secret], "e2", new Date(), body)) };
    const hook = new Webhook(secret);
    expect(() => hook.verify('{"a":2}', headers)).toThrow();
    expect(() => hook.verify(body, { ...headers, "webhook-id": "e3" })).toThrow();
    const stale = { ...(await signedHeaders([secret], "e2", new Date(Date.now() - 10 * 60_000), body)) };
    expect(() => hook.verify(body, stale)).toThrow();
  });

  it("make secrets of 32 random bytes in the spec's form", () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(newSecret()).not.toBe(secret);
  });
});

describe("the retry schedule", () => {
  const schedule = [5, 300, 1800];
  it("waits each step with ±20 % jitter, then gives up", () => {
    expect(retryDelay(1, schedule, () => 0.5)).toBe(5);
    expect(retryDelay(2, schedule, () => 0)).toBe(240);
    expect(retryDelay(2, schedule, () => 0.999999)).toBe(360);
    expect(retryDelay(3, schedule, () => 0.5)).toBe(1800);
    expect(retryDelay(4, schedule)).toBeNull();
  });

  it("spreads the default schedule over about a day", () => {
    const total = STANDARD_SCHEDULE.reduce((a, b) => a + b, 0);
    expect(total / 3600).toBeGreaterThan(24);
    expect(total / 3600).toBeLessThan(30);
  });
});
