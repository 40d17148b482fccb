import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDnsHttp } from "../local/dns-http.ts";
import { startEmbeddedPg } from "../local/embedded-pg.ts";
import { newSecret } from "../local/guard.ts";
import { startNeonHttp } from "../local/neon-http.ts";
import { startUpstashRest } from "../local/upstash-rest.ts";
import type { DevConfig } from "./dev-config.ts";

export interface Database {
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `DATABASE_URL` if set; else the embedded database a running `npm run dev` already serves
 * (PGlite allows one process per data directory); else a fresh embedded server.
 */
export async function openDatabase(cfg: DevConfig, opts: { publish?: boolean } = {}): Promise<Database> {
  if (cfg.DATABASE_URL) return { url: cfg.DATABASE_URL, embedded: false, close: async () => {} };
  const marker = join(cfg.DATA_DIR, "embedded-pg.json");
  if (existsSync(marker)) {
    const running = JSON.parse(readFileSync(marker, "utf8")) as { url: string; pid: number };
    if (pidAlive(running.pid)) return { url: running.url, embedded: true, close: async () => {} };
  }
  mkdirSync(cfg.DATA_DIR, { recursive: true });
  const server = await startEmbeddedPg({ dataDir: join(cfg.DATA_DIR, "pg") });
  if (opts.publish) writeFileSync(marker, JSON.stringify({ url: server.url, pid: process.pid }));
  return {
    url: server.url,
    embedded: true,
    close: async () => {
      if (opts.publish) rmSync(marker, { force: true });
      await server.close();
    },
  };
}

/** A dev-only signing secret, made once and kept with the local data. */
export function devSecret(cfg: DevConfig): string {
  if (cfg.JWT_SECRET) return cfg.JWT_SECRET;
  const file = join(cfg.DATA_DIR, "dev-jwt-secret");
  if (!existsSync(file)) {
    mkdirSync(cfg.DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

export interface Stack {
  database: Database;
  /** What the Worker gets: the developer's variables, then what reaches this stack through the production clients. */
  vars: Record<string, string>;
  /** The stack's own part of `vars` (its addresses and per-run secrets). */
  own: Record<string, string>;
  cache: "on" | "off";
  close(): Promise<void>;
}

/**
 * Postgres (real or embedded) behind a Neon-style HTTP endpoint; Redis (`REDIS_URL`) behind an
 * Upstash-style REST endpoint, or the Upstash database the developer's variables name, if any;
 * a DNS-over-HTTPS resolver for the webhook address checks.
 */
export async function startStack(cfg: DevConfig, database: Database): Promise<Stack> {
  const sqlKey = newSecret();
  const neon = await startNeonHttp({ secret: sqlKey });
  const own: Record<string, string> = {
    DATABASE_URL: database.url,
    NEON_SQL_ENDPOINT: neon.url,
    NEON_SQL_KEY: sqlKey,
    JWT_SECRET: devSecret(cfg),
  };
  // Webhook hosts are checked after resolution; locally by this machine's resolver.
  const dnsKey = newSecret();
  const dns = await startDnsHttp({ secret: dnsKey });
  own.WEBHOOK_DNS_URL = dns.url;
  own.WEBHOOK_DNS_KEY = dnsKey;
  let upstash: Awaited<ReturnType<typeof startUpstashRest>> | undefined;
  if (cfg.REDIS_URL) {
    const token = newSecret();
    upstash = await startUpstashRest({ redisUrl: cfg.REDIS_URL, token });
    own.UPSTASH_REDIS_REST_URL = upstash.url;
    own.UPSTASH_REDIS_REST_TOKEN = token;
  }
  const vars = { ...cfg.worker, ...own };
  return {
    database,
    vars,
    own,
    cache: vars.UPSTASH_REDIS_REST_URL ? "on" : "off",
    close: async () => {
      await Promise.allSettled([neon.close(), dns.close(), upstash?.close()]);
      await database.close();
    },
  };
}
