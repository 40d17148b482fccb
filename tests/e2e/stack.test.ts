import { Redis } from "@upstash/redis";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { connectRedis } from "../../scripts/local/resp.ts";

import { json } from "../harness/client";
import { useRunningWorker } from "./support";

const worker = useRunningWorker();

describe("the Worker over real HTTP", () => {
  it("reports db and cache ok from real services", async () => {
    const res = await worker.api.health.$get();
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", db: "ok", cache: worker.stack.redis ? "ok" : "off" });
  });

  it("writes a row through the Neon driver that a direct Postgres client reads back", async () => {
    const res = await worker.api.auth.register.$post({
      json: { username: "e2e_reader", email: "e2e@example.com", password: "s3cure-pass", password2: "s3cure-pass" },
    });
    expect(res.status).toBe(201);
    const direct = new pg.Client({ connectionString: worker.databaseUrl });
    await direct.connect();
    const { rows } = await direct.query("select username, email, is_staff from users where username = 'e2e_reader'");
    await direct.end();
    expect(rows).toEqual([{ username: "e2e_reader", email: "e2e@example.com", is_staff: false }]);
  });

  it.runIf(!!inject("stack").redis)("reads back from Redis directly what @upstash/redis wrote", async () => {
    const redis = worker.stack.redis!;
    const client = new Redis({ url: redis.restUrl, token: redis.token, enableTelemetry: false });
    const key = `${worker.redisPrefix}probe`;
    await client.set(key, { hello: "world", price: "12.50" }, { ex: 60 });
    const conn = await connectRedis(redis.directUrl);
    const raw = await conn.command("GET", key);
    const ttl = await conn.command("TTL", key);
    await conn.command("DEL", key);
    conn.close();
    expect(JSON.parse(String(raw))).toEqual({ hello: "world", price: "12.50" });
    expect(Number(ttl)).toBeGreaterThan(0);
  });

  it("answers malformed JSON, unknown routes and wrong methods with the contract's JSON", async () => {
    const bad = await worker.request("/api/auth/login/", json("{oops"));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ detail: expect.stringMatching(/^JSON parse error/) });
    const missing = await worker.request("/api/nope/");
    expect([missing.status, await missing.json()]).toEqual([404, { detail: "Not found." }]);
    const wrong = await worker.request("/api/auth/login/", { method: "GET" });
    expect([wrong.status, await wrong.json()]).toEqual([405, { detail: 'Method "GET" not allowed.' }]);
  });
});
