import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../../scripts/lib/migrate.ts";
import { startPgWsProxy } from "../../scripts/local/pg-ws-proxy.ts";
import { startUpstashRest } from "../../scripts/local/upstash-rest.ts";
import { type TestStack, withDatabase } from "./stack.ts";

const ci = process.env.CI === "true";

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Real Postgres and Redis for every test project: a migrated template database that each test
 * file clones, the Neon-style proxy, and the Upstash-style endpoint.
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  if (!(await reachable(adminUrl))) {
    throw new Error(`Postgres is not reachable at ${adminUrl}; start it or set TEST_DATABASE_URL (CI=${ci}).`);
  }
  const template = `shop_tpl_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${template}"`);
  await applyMigrations(withDatabase(adminUrl, template));

  const proxy = await startPgWsProxy();
  const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const token = randomBytes(16).toString("hex");
  const upstash = await startUpstashRest({ redisUrl, token });
  const pong = await fetch(upstash.url, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: '["PING"]' })
    .then((r) => r.json() as Promise<{ result?: string }>)
    .catch(() => ({ result: undefined }));
  const redisUp = pong.result === "PONG";
  if (!redisUp && ci) throw new Error(`Redis is not reachable at ${redisUrl} and CI=true: failing instead of skipping.`);
  if (!redisUp) console.warn(`\n!!! Redis is not reachable at ${redisUrl}: Redis-backed tests are SKIPPED.\n`);

  const stack: TestStack = {
    adminUrl,
    template,
    pgProxy: `127.0.0.1:${proxy.port}`,
    redis: redisUp ? { restUrl: upstash.url, token, directUrl: redisUrl } : null,
  };
  project.provide("stack", stack);

  return async () => {
    await Promise.allSettled([proxy.close(), upstash.close()]);
    await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    await admin.end();
  };
}
