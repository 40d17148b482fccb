// Redis stopped and started for real: a redis-server child of this file on a random port, behind
// this file's own Upstash stand-in. Every operation must keep answering from Postgres, health must
// say "degraded", and the cache must come back with Redis. (Not the machine's Redis on 6379.)
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startUpstashRest } from "../../scripts/local/upstash-rest.ts";
import { read } from "../harness/client";
import { eventually, type RedisChild, redisServerInstalled, startRedisChild } from "../support/faults.ts";
import { type E2eHarness, startHarness } from "./support";
import { documentedOps, expectedStatus, makeStaff, type Walk, walk } from "./tour";

const installed = redisServerInstalled();
if (!installed && process.env.CI === "true") throw new Error("redis-server is not installed and CI=true");
if (!installed) console.warn("\n!!! redis-server is not on PATH: the Redis fault tests are SKIPPED.\n");

let redis: RedisChild;
let upstash: Awaited<ReturnType<typeof startUpstashRest>>;
let worker: E2eHarness;
let staff: string;
/** Redis stops and starts, printed at the end. */
let faults = 0;

beforeAll(async () => {
  if (!installed) return;
  redis = await startRedisChild();
  const token = randomBytes(16).toString("hex");
  upstash = await startUpstashRest({ redisUrl: redis.url, token });
  // The Worker's own harness, started and stopped here: Redis and its stand-in go down after it.
  worker = await startHarness({
    vars: (v) => ({ ...v, UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: token }),
    // Every call while Redis is down logs a warning (and each lost invalidation an error): expected here.
    logLevel: "none",
  });
  staff = await makeStaff(worker, `staff_${Date.now().toString(36)}`);
});
afterAll(async () => {
  if (installed) console.log(`faults-redis: ${faults} faults injected (Redis stopped or started)`);
  await worker?.stop();
  await upstash?.close();
  await redis?.stop();
});

const health = async () => {
  const res = await read(worker.api.health.$get());
  return { status: res.status, body: res.body };
};

/** Every step answered as with Redis up, and none waited on Redis for long. */
function expectAllAnswered(run: Walk) {
  const wrong = run.steps
    .filter((s) => s.status !== expectedStatus(s.op))
    .map((s) => `${s.op} → ${s.status} ${JSON.stringify(s.body)}`);
  expect(wrong).toEqual([]);
  expect(run.stock).toEqual([9, 7, 9]);
  const slow = run.steps.filter((s) => s.ms > 3000).map((s) => `${s.op} ${Math.round(s.ms)} ms`);
  expect(slow).toEqual([]);
}

/** Reads a list until the cache answers it (the entry is stored in waitUntil, after the first answer). */
const cachedList = async () => {
  let last = "";
  await eventually(
    async () => {
      last = (await worker.api.products.$get({ query: { page_size: "3" } })).headers.get("x-cache") ?? "";
      return last === "HIT";
    },
    5000,
    "a cache HIT",
  );
  return last;
};

describe.skipIf(!installed)("Redis stopped and restarted", () => {
  it("with Redis up: every documented operation answers, health is ok, lists come from the cache", async () => {
    expect(await health()).toMatchObject({ status: 200, body: { status: "ok", db: "ok", cache: "ok" } });
    const run = await walk(worker, staff, "up");
    expectAllAnswered(run);
    const walked = new Set(run.steps.map((s) => s.op));
    expect((await documentedOps(worker)).filter((op) => !walked.has(op))).toEqual([]);
    expect(await cachedList()).toBe("HIT");
  });

  it("with Redis stopped: the same answers from Postgres, health degraded, rate limits fail open", async () => {
    await redis.stop();
    faults++;
    expect(await health()).toEqual({
      status: 200,
      body: { status: "degraded", db: "ok", cache: "down", version: expect.any(String) },
    });
    const run = await walk(worker, staff, "down");
    expectAllAnswered(run);
    const catalog = run.steps.filter((s) => s.op.startsWith("GET /api/products/") && s.status === 200 && s.cache);
    expect(catalog.length).toBeGreaterThan(3);
    expect(new Set(catalog.map((s) => s.cache))).toEqual(new Set(["BYPASS"]));
  });

  it("with Redis back on the same port: health ok and the cache serves again", async () => {
    await redis.start();
    faults++;
    await eventually(async () => (await health()).body.cache === "ok", 10_000, "cache ok");
    expectAllAnswered(await walk(worker, staff, "back"));
    expect(await cachedList()).toBe("HIT");
    expect(await health()).toMatchObject({ status: 200, body: { status: "ok" } });
  });

  it.runIf(inject("stress"))(
    "keeps answering through five more stop/start cycles (stress)",
    async () => {
      for (let cycle = 0; cycle < 5; cycle++) {
        await redis.stop();
        faults++;
        expectAllAnswered(await walk(worker, staff, `down${cycle}`));
        await redis.start();
        faults++;
        await eventually(async () => (await health()).body.cache === "ok", 10_000, "cache ok");
        expectAllAnswered(await walk(worker, staff, `back${cycle}`));
        expect(await cachedList()).toBe("HIT");
      }
    },
    180_000,
  );
});
