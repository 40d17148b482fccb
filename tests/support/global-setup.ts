import pg from "pg";
import type { TestProject } from "vitest/node";
import { newSecret } from "../../scripts/local/guard.ts";
import { startNeonHttp } from "../../scripts/local/neon-http.ts";
import { startUpstashRest } from "../../scripts/local/upstash-rest.ts";
import { pgliteProvider, postgresProvider, serveProvider } from "./databases.ts";
import type { TestStack } from "./stack.ts";

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
 * Real Postgres and Redis for every test project: a database per test file (cloned from a migrated
 * template, or an embedded PGlite when no server runs and CI is not set), the Neon-style proxy,
 * and the Upstash-style endpoint.
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const postgresUp = await reachable(adminUrl);
  if (!postgresUp && ci)
    throw new Error(`Postgres is not reachable at ${adminUrl} and CI=true: failing instead of falling back.`);
  if (!postgresUp)
    console.warn(
      `\n!!! Postgres is not reachable at ${adminUrl}: running on embedded PGlite (slower, one server per test file).\n`,
    );
  const secret = newSecret();
  const databases = await serveProvider(postgresUp ? await postgresProvider(adminUrl) : await pgliteProvider(), secret);

  const neon = await startNeonHttp({ secret });
  const redisUrl = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const token = newSecret();
  const upstash = await startUpstashRest({ redisUrl, token });
  const pong = await fetch(upstash.url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: '["PING"]',
  })
    .then((r) => r.json() as Promise<{ result?: string }>)
    .catch(() => ({ result: undefined }));
  const redisUp = pong.result === "PONG";
  if (!redisUp && ci)
    throw new Error(`Redis is not reachable at ${redisUrl} and CI=true: failing instead of skipping.`);
  if (!redisUp)
    console.warn(
      `\n!!! Redis is not reachable at ${redisUrl}: every Redis-backed test below is SKIPPED (listed as skipped).\n`,
    );

  const stack: TestStack = {
    databases: databases.url,
    secret,
    database: postgresUp ? "postgres" : "pglite",
    sqlEndpoint: neon.url,
    redis: redisUp ? { restUrl: upstash.url, token, directUrl: redisUrl } : null,
  };
  project.provide("stack", stack);
  // `npm run test:stress`: the reliability suite runs its larger counts (see README).
  project.provide("stress", process.env.STRESS === "1");

  return async () => {
    await Promise.allSettled([neon.close(), upstash.close()]);
    await databases.close();
  };
}
