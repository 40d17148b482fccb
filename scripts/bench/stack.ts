// The benchmark's own stack: a throwaway database, a Redis key prefix, the local Neon and
// Upstash stand-ins (the proxy counting round trips), and `wrangler dev` with logging off.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { applyMigrations } from "../lib/migrate.ts";
import { startWranglerDev } from "../lib/wrangler.ts";
import { newSecret } from "../local/guard.ts";
import { type NeonHttp, startNeonHttp } from "../local/neon-http.ts";
import { connectRedis } from "../local/resp.ts";
import { startUpstashRest } from "../local/upstash-rest.ts";

export interface BenchStack {
  baseUrl: string;
  /** A database made for this run, dropped by `close()`. */
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** The stand-in for Neon's endpoint, which counts round trips. */
  neon: NeonHttp;
  close(): Promise<void>;
}

export interface StackOptions {
  /** A Postgres server where this run may create and drop a database `bench_<ts>`. */
  adminUrl: string;
  redisUrl: string;
  port: number;
  log: (line: string) => void;
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Deletes every key under the run's prefix (SCAN, never KEYS). */
async function dropRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const conn = await connectRedis(redisUrl);
  try {
    let cursor = "0";
    do {
      const reply = (await conn.command("SCAN", cursor, "MATCH", `${prefix}*`, "COUNT", 1000)) as [
        Buffer | string,
        (Buffer | string)[],
      ];
      cursor = String(reply[0]);
      if (reply[1].length) await conn.command("DEL", ...reply[1].map(String));
    } while (cursor !== "0");
  } finally {
    conn.close();
  }
}

/** Starts everything; on failure, stops what already started. */
export async function startBenchStack(opts: StackOptions): Promise<BenchStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const step of cleanups.reverse()) await step().catch((err: unknown) => opts.log(`cleanup: ${String(err)}`));
    cleanups.length = 0;
  };
  try {
    const name = `bench_${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}_${randomBytes(2).toString("hex")}`;
    await adminQuery(opts.adminUrl, `CREATE DATABASE "${name}"`);
    cleanups.push(() => adminQuery(opts.adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    const databaseUrl = withDatabase(opts.adminUrl, name);
    opts.log(`database: ${name} on ${new URL(opts.adminUrl).host} (dropped at the end)`);
    await applyMigrations(databaseUrl);

    const redisPrefix = `bench:${Date.now().toString(36)}${randomBytes(3).toString("hex")}:`;
    cleanups.push(() => dropRedisPrefix(opts.redisUrl, redisPrefix));
    const token = newSecret();
    const upstash = await startUpstashRest({ redisUrl: opts.redisUrl, token });
    cleanups.push(() => upstash.close());
    const sqlKey = newSecret();
    const neon = await startNeonHttp({ secret: sqlKey });
    cleanups.push(() => neon.close());

    // Durable Object storage in a temporary directory, so every run starts with empty hubs.
    const persist = mkdtempSync(join(tmpdir(), "bench-wrangler-"));
    cleanups.push(async () => rmSync(persist, { recursive: true, force: true }));
    const server = await startWranglerDev({
      port: opts.port,
      quiet: !process.env.BENCH_VERBOSE,
      extraArgs: ["--persist-to", persist],
      // Wrangler's own per-request log line is a call into its Node process for every request.
      logLevel: "warn",
      vars: {
        DATABASE_URL: databaseUrl,
        NEON_SQL_ENDPOINT: neon.url,
        NEON_SQL_KEY: sqlKey,
        JWT_SECRET: randomBytes(32).toString("hex"),
        UPSTASH_REDIS_REST_URL: upstash.url,
        UPSTASH_REDIS_REST_TOKEN: token,
        REDIS_PREFIX: redisPrefix,
        // One JSON log line per request costs about a quarter of the floor's throughput.
        LOG_REQUESTS: "false",
      },
    });
    cleanups.push(() => server.stop());
    return { baseUrl: server.url, databaseUrl, redisUrl: opts.redisUrl, redisPrefix, neon, close };
  } catch (err) {
    await close();
    throw err;
  }
}
