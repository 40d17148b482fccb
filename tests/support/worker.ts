import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { unstable_startWorker } from "wrangler";
import { startDeno } from "../../scripts/lib/deno.ts";
import { freePort } from "../../scripts/lib/free-port.ts";
import { createTestDatabase, type TestStack, uniqueName, workerVars } from "./stack.ts";

export interface RunningWorker {
  url: string;
  stack: TestStack;
  databaseUrl: string;
  redisPrefix: string;
  /** The vars the Worker was started with. */
  vars: Record<string, string>;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Changes the Worker's vars, e.g. to point it at a Redis or a Postgres route a fault test can break. */
  vars?: (vars: Record<string, string>) => Record<string, string> | Promise<Record<string, string>>;
  /** wrangler's log level for the Worker's own console output (default "warn"). */
  logLevel?: "none" | "error" | "warn";
}

/**
 * The real Worker over real HTTP, on this file's own database: wrangler's dev server, or in the
 * `e2e-deno` project the same app on Deno (src/deno.ts) with a KV file of its own.
 */
export async function startTestWorker(options: WorkerOptions = {}): Promise<RunningWorker> {
  if (inject("runtime") === "deno") return startDenoWorker(options);
  Object.assign(process.env, {
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_HIDE_BANNER: "true",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
  });
  const stack = inject("stack");
  const database = await createTestDatabase(stack);
  const redisPrefix = `${uniqueName("e")}:`;
  const base = workerVars(stack, database.url, redisPrefix);
  const vars = options.vars ? await options.vars(base) : base;
  const worker = await unstable_startWorker({
    config: "wrangler.toml",
    bindings: Object.fromEntries(Object.entries(vars).map(([k, value]) => [k, { type: "plain_text" as const, value }])),
    // No persisted Durable Object storage: a hub kept from an earlier run would hold event ids
    // this file's fresh database hands out again, and skip them as already delivered.
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      watch: false,
      persist: false,
      logLevel: options.logLevel ?? "warn",
    },
  });
  await worker.ready;
  const url = (await worker.url).toString().replace(/\/$/, "");
  return {
    url,
    stack,
    databaseUrl: database.url,
    redisPrefix,
    vars,
    stop: async () => {
      await worker.dispose();
      await database.drop();
    },
  };
}

/** A running Deno server of the app on a KV file (`kvPath`) of its own or one shared with another. */
export async function startDenoWorker(
  options: WorkerOptions & {
    kvPath?: string;
    database?: { url: string; drop(): Promise<void> };
    redisPrefix?: string;
  } = {},
): Promise<RunningWorker & { kvPath: string }> {
  const stack = inject("stack");
  const database = options.database ?? (await createTestDatabase(stack));
  const redisPrefix = options.redisPrefix ?? `${uniqueName("d")}:`;
  const base = workerVars(stack, database.url, redisPrefix);
  const vars = options.vars ? await options.vars(base) : base;
  const dir = options.kvPath ? undefined : mkdtempSync(join(tmpdir(), "shop-deno-kv-"));
  const kvPath = options.kvPath ?? join(dir!, "kv.sqlite");
  const server = await startDeno({ port: await freePort(), vars, kvPath, quiet: options.logLevel === "none" });
  return {
    url: server.url,
    stack,
    databaseUrl: database.url,
    redisPrefix,
    vars,
    kvPath,
    stop: async () => {
      await server.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (!options.database) await database.drop();
    },
  };
}
