import { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "../config";
import { log } from "./log";

export type CacheState = "ok" | "down" | "off";

/**
 * Redis behind a fail-open wall: every failure is logged and answered as a miss,
 * so a Redis outage slows the API down instead of breaking it.
 */
export class Cache {
  readonly redis: Redis | null;
  readonly prefix: string;
  readonly requestId: string;

  constructor(
    config: Pick<Config, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN" | "REDIS_NAMESPACE">,
    requestId: string,
  ) {
    const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = config;
    // One attempt per call: @upstash/redis reads `retry: false` as one retry (two connections per
    // failed call); `retries: 0` is a single try. A failure is a miss, answered from Postgres.
    this.redis =
      url && token
        ? new Redis({
            url,
            token,
            retry: { retries: 0 },
            signal: () => AbortSignal.timeout(1000),
            enableTelemetry: false,
            // Values stay the text they were stored as: cached answers are served as that text, never re-parsed.
            automaticDeserialization: false,
          })
        : null;
    this.prefix = config.REDIS_NAMESPACE;
    this.requestId = requestId;
  }

  get enabled(): boolean {
    return this.redis !== null;
  }

  key(...parts: (string | number)[]): string {
    return this.prefix + parts.join(":");
  }

  /** The values as stored (text), or `null` when Redis is off or failing, so callers can tell "absent" from "unknown". */
  async tryMget(keys: string[]): Promise<(string | null)[] | null> {
    return this.attempt<(string | null)[] | null>("mget", null, (r) => r.mget<(string | null)[]>(...keys));
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.attempt("set", null, (r) => r.set(key, value, { ex: ttlSeconds }));
  }

  /** False when Redis is unavailable, as when `member` is not in the set. */
  async isMember(key: string, member: string): Promise<boolean> {
    return this.attempt("sismember", false, async (r) => (await r.sismember(key, member)) === 1);
  }

  /** Adds `member` to a set and (re)starts the set's time to live. */
  async addMember(key: string, member: string, ttlSeconds: number): Promise<void> {
    // Issued together, so the client's auto-pipelining sends them in one request with any others of this tick.
    await this.attempt("sadd", null, async (r) => {
      await Promise.all([r.sadd(key, member), r.expire(key, ttlSeconds)]);
      return null;
    });
  }

  /** False when Redis is unavailable; callers decide whether that is safe. */
  async incr(keys: string[]): Promise<boolean> {
    return this.attempt("incr", false, async (r) => {
      const p = r.pipeline();
      for (const key of keys) p.incr(key);
      await p.exec();
      return true;
    });
  }

  async ping(): Promise<CacheState> {
    if (!this.redis) return "off";
    return this.attempt("ping", "down" as CacheState, async (r) => ((await r.ping()) === "PONG" ? "ok" : "down"));
  }

  private async attempt<T>(op: string, fallback: T, run: (redis: Redis) => Promise<T>): Promise<T> {
    if (!this.redis) return fallback;
    try {
      return await run(this.redis);
    } catch (err) {
      log("warn", "cache unavailable, serving without it", { op, requestId: this.requestId, error: String(err) });
      return fallback;
    }
  }
}
