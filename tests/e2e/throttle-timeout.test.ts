// #15: a rate limit whose Redis answered too slowly was taken as "allowed", with no log line, so a
// burst that slowed Redis down passed the limit (110 parallel registrations made 102 accounts
// against a limit of 100). A timeout now refuses (503); only an unreachable Redis fails open.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Cache } from "../../src/lib/cache";
import { ApiError } from "../../src/lib/errors";
import { loginWindow, Throttle } from "../../src/lib/throttle";

let hung: Server;
let hungUrl: string;
beforeAll(async () => {
  // Accepts every request and never answers, like a Redis endpoint swamped by a burst.
  hung = createServer(() => {});
  await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
  hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
});
afterAll(() => {
  hung.closeAllConnections();
  hung.close();
});

const throttleAt = (url: string) =>
  new Throttle(
    new Cache({ UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: "t", REDIS_NAMESPACE: "throttle-test:" }, "req"),
    "login:user",
    10,
    loginWindow,
  );

describe("a rate limit that cannot get an answer", () => {
  it("refuses with the contract's 503 when Redis does not answer in time, and says so in the log", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const started = Date.now();
    const error = await throttleAt(hungUrl)
      .reserve("someone")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(logged.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringContaining("rate limit timed out")]);
    logged.mockRestore();
  });

  it("lets the request through, with a warning, when Redis is unreachable", async () => {
    const warned = vi.spyOn(console, "warn").mockImplementation(() => {});
    const reservation = await throttleAt("http://127.0.0.1:1").reserve("someone");
    expect(reservation.allowed).toBe(true);
    expect(warned.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringContaining("rate limit unavailable")]);
    warned.mockRestore();
  });
});
