// The benchmark's own stack: a throwaway database, a Redis key prefix, the local Neon and
// Upstash stand-ins (counting round trips), and the Worker: the production bundle on workerd as
// `npm start` serves it, the same app on Deno (`--runtime deno`), or `wrangler dev` (`--dev`),
// with request logging on, as by default.
// With `rttMs`, a delaying forwarder sits between the Worker and each stand-in (an edge location
// that far from the database's region).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startDeno } from "../lib/deno.ts";
import { applyMigrations } from "../lib/migrate.ts";
import { buildBundle, startWorkerd } from "../lib/workerd.ts";
import { startWranglerDev } from "../lib/wrangler.ts";
import { newSecret } from "../local/guard.ts";
import { type NeonHttp, startNeonHttp } from "../local/neon-http.ts";
import { connectRedis } from "../local/resp.ts";
import { startUpstashRest, type UpstashRest } from "../local/upstash-rest.ts";
import { startDelay } from "./delay.ts";

export interface BenchStack {
  baseUrl: string;
  /**
   * The same server and stack with request logging off (workerd and Deno): the floor's
   * baseline, so logging's cost is a ratio measured in the same run.
   */
  unloggedUrl: string | null;
  /** A database made for this run, dropped by `close()`. */
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** The stand-ins, which count round trips. */
  neon: NeonHttp;
  upstash: UpstashRest;
  close(): Promise<void>;
}

/** The production bundle on workerd (`npm start`), the same app on Deno (`npm run dev:deno`), or `wrangler dev`. */
export type Runtime = "workerd" | "deno" | "dev";

export interface StackOptions {
  /** A Postgres server where this run may create and drop a database `bench_<ts>`. */
  adminUrl: string;
  redisUrl: string;
  port: number;
  /** Where the unlogged copy listens (workerd and Deno). */
  unloggedPort: number;
  log: (line: string) => void;
  runtime: Runtime;
  /** Milliseconds added to every round trip between the Worker and Postgres/Redis. */
  rttMs: number;
  /** More Worker variables for a scenario. */
  vars?: Record<string, string>;
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

    // Between the Worker and the stand-ins: the edge-to-region hop (the stand-ins sit by Postgres and Redis).
    let sqlUrl = neon.url;
    let restUrl = upstash.url;
    if (opts.rttMs > 0) {
      const toNeon = await startDelay({ host: "127.0.0.1", port: neon.port }, opts.rttMs);
      const toUpstash = await startDelay({ host: "127.0.0.1", port: upstash.port }, opts.rttMs);
      cleanups.push(
        () => toNeon.close(),
        () => toUpstash.close(),
      );
      sqlUrl = `http://127.0.0.1:${toNeon.port}/sql`;
      restUrl = `http://127.0.0.1:${toUpstash.port}`;
      opts.log(`edge: ${opts.rttMs} ms added to every round trip to Postgres and Redis`);
    }
    const vars = {
      DATABASE_URL: databaseUrl,
      NEON_SQL_ENDPOINT: sqlUrl,
      NEON_SQL_KEY: sqlKey,
      JWT_SECRET: randomBytes(32).toString("hex"),
      UPSTASH_REDIS_REST_URL: restUrl,
      UPSTASH_REDIS_REST_TOKEN: token,
      REDIS_PREFIX: redisPrefix,
      ...opts.vars,
    };
    // The hubs' storage (Durable Objects, or Deno KV) in a temporary directory: every run starts empty.
    const persist = mkdtempSync(join(tmpdir(), "bench-hubs-"));
    cleanups.push(async () => rmSync(persist, { recursive: true, force: true }));
    let baseUrl: string;
    let unloggedUrl: string | null = null;
    if (opts.runtime !== "dev") {
      const bundleDir = join(persist, "bundle");
      if (opts.runtime === "workerd") await buildBundle(bundleDir);
      const serve = async (port: number, extra: Record<string, string>, dir: string) => {
        const quiet = !process.env.BENCH_VERBOSE;
        const own = { ...vars, ...extra };
        const server =
          opts.runtime === "workerd"
            ? await startWorkerd({ port, vars: own, bundleDir, persistDir: join(persist, dir), quiet })
            : await startDeno({ port, vars: own, kvPath: join(persist, dir, "kv.sqlite"), quiet });
        cleanups.push(() => server.stop());
        return server.url;
      };
      baseUrl = await serve(opts.port, {}, "hubs");
      unloggedUrl = await serve(opts.unloggedPort, { LOG_REQUESTS: "false" }, "hubs-unlogged");
    } else {
      const server = await startWranglerDev({
        port: opts.port,
        quiet: !process.env.BENCH_VERBOSE,
        extraArgs: ["--persist-to", persist],
        // Wrangler's own per-request log line is a call into its Node process for every request.
        logLevel: "warn",
        vars,
      });
      cleanups.push(() => server.stop());
      baseUrl = server.url;
    }
    return { baseUrl, unloggedUrl, databaseUrl, redisUrl: opts.redisUrl, redisPrefix, neon, upstash, close };
  } catch (err) {
    await close();
    throw err;
  }
}
