import * as z from "zod";
import { databaseTag, redisNamespace } from "./lib/namespace";
import { PUBLIC_RESOLVER } from "./webhooks/resolve";
import { STANDARD_SCHEDULE } from "./webhooks/schedule";

/** Sockets one hub accepts by default (`WS_MAX_SOCKETS`); more are refused with 429 before upgrading. */
export const MAX_SOCKETS = 2000;

/** Secrets are not in wrangler.toml, so `wrangler types` cannot see them. */
export interface Secrets {
  DATABASE_URL: string;
  JWT_SECRET: string;
  JWT_SECRET_PREVIOUS?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Local stack only: the URL of the stand-in for Neon's HTTP SQL endpoint (scripts/local/neon-http.ts). */
  NEON_SQL_ENDPOINT?: string;
  /** Local stack only: the stand-in's per-run secret. */
  NEON_SQL_KEY?: string;
  /** Put before every Redis key, ahead of the database's own namespace (which is always there). */
  REDIS_PREFIX?: string;
  LOGIN_LIMIT_PER_USERNAME?: string;
  LOGIN_LIMIT_PER_IP?: string;
  REGISTER_LIMIT_PER_IP?: string;
  /** Milliseconds a round trip to Postgres may take before the request answers 503. */
  DB_CONNECT_TIMEOUT_MS?: string;
  /** WebSockets one user's hub (or the staff feed) holds at once; more are refused with 429. */
  WS_MAX_SOCKETS?: string;
  LOG_REQUESTS?: string;
  APP_VERSION?: string;
  /** Comma-separated browser origins allowed by CORS, e.g. `https://shop.example.com`; none when unset. */
  CORS_ORIGINS?: string;
  /** Local development only: lets webhook endpoints be http on this machine's loopback. */
  WEBHOOK_ALLOW_LOOPBACK?: string;
  /** The DNS-over-HTTPS (JSON) resolver webhook hosts are checked with; Cloudflare's by default. */
  WEBHOOK_DNS_URL?: string;
  /** Local stack only: the per-run secret of the resolver stand-in (scripts/local/dns-http.ts). */
  WEBHOOK_DNS_KEY?: string;
  /** Milliseconds a webhook receiver has to answer. */
  WEBHOOK_TIMEOUT_MS?: string;
  /** Seconds before each retry of a failed delivery, comma-separated; after the last, it has failed. */
  WEBHOOK_RETRY_SECONDS?: string;
  /** An endpoint failing this long with no success in between is disabled. */
  WEBHOOK_DISABLE_AFTER_SECONDS?: string;
}

export type Bindings = Env & Secrets;

const seconds = z.coerce.number().int().positive();
const flag = z.enum(["true", "false"]).transform((v) => v === "true");
const limit = z.coerce.number().int().positive();

/** Exact origins, like django-cors-headers' CORS_ALLOWED_ORIGINS; `*` is refused so opening up is always a list. */
const origins = z
  .string()
  .default("")
  .transform((list) =>
    list
      .split(",")
      .map((o) => o.trim().replace(/\/$/, ""))
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(/^https?:\/\/[^/*\s]+$/, "CORS_ORIGINS must list origins like https://shop.example.com (no *, no path)"),
    ),
  );

/** Seconds before each retry (STANDARD_SCHEDULE by default); a Queues delay is at most 12 h. */
const retrySchedule = z
  .string()
  .default(STANDARD_SCHEDULE.join(","))
  .transform((list) => list.split(",").map((s) => Number(s.trim())))
  .pipe(z.array(z.int().min(0).max(43_200)).min(1).max(20));

/** Every variable the Worker reads (the launchers forward the same names: scripts/lib/dev-config.ts). */
export const variables = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required"),
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters"),
  JWT_SECRET_PREVIOUS: z.string().min(32).optional(),
  UPSTASH_REDIS_REST_URL: z.url().optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
  NEON_SQL_ENDPOINT: z.url().optional(),
  NEON_SQL_KEY: z.string().min(16).optional(),
  REDIS_PREFIX: z.string().default(""),
  ACCESS_TOKEN_TTL: seconds.default(900),
  REFRESH_TOKEN_TTL: seconds.default(604800),
  LOGIN_LIMIT_PER_USERNAME: limit.default(10),
  LOGIN_LIMIT_PER_IP: limit.default(50),
  REGISTER_LIMIT_PER_IP: limit.default(100),
  WS_MAX_SOCKETS: limit.default(MAX_SOCKETS),
  DB_CONNECT_TIMEOUT_MS: limit.default(5000),
  LOG_REQUESTS: flag.default(true),
  APP_VERSION: z.string().default("0.1.0"),
  CORS_ORIGINS: origins,
  WEBHOOK_ALLOW_LOOPBACK: flag.default(false),
  WEBHOOK_DNS_URL: z.url().default(PUBLIC_RESOLVER),
  WEBHOOK_DNS_KEY: z.string().min(16).optional(),
  WEBHOOK_TIMEOUT_MS: limit.max(30_000).default(10_000),
  WEBHOOK_RETRY_SECONDS: retrySchedule,
  WEBHOOK_DISABLE_AFTER_SECONDS: seconds.default(86_400),
});

const configSchema = variables.transform((c) => ({
  ...c,
  /** Names this database's staff feed (see src/lib/namespace.ts). */
  DATABASE_TAG: databaseTag(c.DATABASE_URL),
  /** Every Redis key starts with this: two databases sharing one Redis never read each other's keys. */
  REDIS_NAMESPACE: redisNamespace(c.REDIS_PREFIX, c.DATABASE_URL),
}));

export type Config = z.infer<typeof configSchema>;

const parsed = new WeakMap<object, Config>();

/** The Worker's variables are missing or wrong: every problem, for the log (the client gets a 503). */
export class ConfigError extends Error {
  constructor(readonly problems: string) {
    super(`Invalid configuration: ${problems}`);
  }
}

const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/**
 * Postgres on this machine is reachable by the Neon driver only through an HTTP endpoint in front
 * of it; without one every query would fail as a network error, so plain `wrangler dev` says why.
 */
function localDatabaseWithoutEndpoint(env: Bindings): string | null {
  if (env.NEON_SQL_ENDPOINT || !env.DATABASE_URL) return null;
  try {
    if (!loopback.test(new URL(env.DATABASE_URL).hostname)) return null;
  } catch {
    return null;
  }
  return "DATABASE_URL names a Postgres on this machine, which the Neon driver reaches only through an HTTP endpoint: run `npm run dev`, or `npm run stack` beside `wrangler dev` (either serves one and sets NEON_SQL_ENDPOINT and NEON_SQL_KEY), or name a Neon database";
}

/** Parses the bindings once per env object; a bad value fails loudly with every bad key. */
export function readConfig(env: Bindings): Config {
  let config = parsed.get(env);
  if (!config) {
    const result = configSchema.safeParse(env);
    const local = localDatabaseWithoutEndpoint(env);
    if (!result.success || local) {
      throw new ConfigError(
        [result.success ? "" : z.prettifyError(result.error), local ?? ""].filter(Boolean).join("\n"),
      );
    }
    config = result.data;
    parsed.set(env, config);
  }
  return config;
}
