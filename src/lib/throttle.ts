import { Ratelimit } from "@upstash/ratelimit";
import type { Cache } from "./cache";
import { throttled } from "./errors";
import { log } from "./log";

const WINDOW = { login: "15 m", register: "1 h" } as const;

/**
 * A sliding-window limit in Redis that fails open: with Redis off or down the request goes
 * through and a log line says so, because credentials checks must not depend on the cache.
 */
export class Throttle {
  private readonly limiter: Ratelimit | null;
  private readonly cache: Cache;

  constructor(cache: Cache, name: string, limit: number, window: (typeof WINDOW)[keyof typeof WINDOW]) {
    this.cache = cache;
    this.limiter = cache.redis
      ? new Ratelimit({
          redis: cache.redis,
          limiter: Ratelimit.slidingWindow(limit, window),
          prefix: cache.key("rl", name),
          ephemeralCache: false,
          timeout: 1000,
          analytics: false,
        })
      : null;
  }

  /** Throws the contract's 429 when `identifier` has no attempts left; consumes nothing. */
  async check(identifier: string): Promise<void> {
    const remaining = await this.attempt(() => this.limiter!.getRemaining(identifier));
    if (remaining && remaining.remaining <= 0) throw throttled(secondsUntil(remaining.reset));
  }

  /** Consumes one attempt; throws 429 when that attempt was over the limit. */
  async hit(identifier: string): Promise<void> {
    const result = await this.attempt(() => this.limiter!.limit(identifier));
    if (result && !result.success && result.reason !== "timeout") throw throttled(secondsUntil(result.reset));
  }

  private async attempt<T>(run: () => Promise<T>): Promise<T | null> {
    if (!this.limiter) return null;
    try {
      return await run();
    } catch (err) {
      log("warn", "rate limit unavailable, allowing request", { requestId: this.cache.requestId, error: String(err) });
      return null;
    }
  }
}

const secondsUntil = (resetMs: number) => Math.max(1, Math.ceil((resetMs - Date.now()) / 1000));

export const loginWindow = WINDOW.login;
export const registerWindow = WINDOW.register;
