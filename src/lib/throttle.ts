import { Ratelimit } from "@upstash/ratelimit";
import type { Cache } from "./cache";
import { serviceUnavailable, throttled } from "./errors";
import { log } from "./log";

const WINDOW = { login: "15 m", register: "1 h" } as const;
type Window = (typeof WINDOW)[keyof typeof WINDOW];

/** One attempt taken from a limit before the work it guards. */
export interface Reservation {
  /** False when the limit was already used up; nothing was taken then. */
  allowed: boolean;
  /** Seconds until an attempt is free again (meaningful when not allowed). */
  retryAfter: number;
  /** Gives a taken attempt back (a login that succeeded does not count). Never throws. */
  refund(): Promise<void>;
}

const nothingTaken = (allowed: boolean, retryAfter = 0): Reservation => ({
  allowed,
  retryAfter,
  refund: async () => {},
});

const isTimeout = (err: unknown) => err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");

/**
 * A sliding-window limit in Redis. An attempt is reserved atomically (one Lua script) before the
 * work it guards, so requests sent together cannot all pass a check made before any of them
 * counted. With Redis off or unreachable the request goes through and a log line says so:
 * credentials must not depend on the cache. A Redis that answers too slowly is not taken as a
 * yes: a burst that slows Redis down would otherwise be let through, so that is a 503.
 */
export class Throttle {
  private readonly limiter: Ratelimit | null;
  private readonly cache: Cache;
  private readonly name: string;

  constructor(cache: Cache, name: string, limit: number, window: Window) {
    this.cache = cache;
    this.name = name;
    this.limiter = cache.redis
      ? new Ratelimit({
          redis: cache.redis,
          limiter: Ratelimit.slidingWindow(limit, window),
          prefix: cache.key("rl", name),
          ephemeralCache: false,
          // 0: the library's own timeout answers "allowed"; the Redis client's deadline throws instead.
          timeout: 0,
          analytics: false,
        })
      : null;
  }

  /** Takes one attempt for `identifier`, or learns that none is left. */
  async reserve(identifier: string): Promise<Reservation> {
    const limiter = this.limiter;
    if (!limiter) return nothingTaken(true);
    try {
      const result = await limiter.limit(identifier);
      if (!result.success) return nothingTaken(false, secondsUntil(result.reset));
      let refunded = false;
      return {
        allowed: true,
        retryAfter: 0,
        refund: async () => {
          if (refunded) return;
          refunded = true;
          // A negative rate gives back without a check (the library's refund).
          await limiter
            .limit(identifier, { rate: -1 })
            .catch((err: unknown) => this.warn("rate limit refund failed", err));
        },
      };
    } catch (err) {
      if (isTimeout(err)) {
        log("error", "rate limit timed out, refusing the request", {
          limit: this.name,
          requestId: this.cache.requestId,
          error: String(err),
        });
        throw serviceUnavailable();
      }
      this.warn("rate limit unavailable, allowing request", err);
      return nothingTaken(true);
    }
  }

  /** `reserve`, throwing the contract's 429 when no attempt was left. */
  async take(identifier: string): Promise<Reservation> {
    const reservation = await this.reserve(identifier);
    if (!reservation.allowed) throw throttled(reservation.retryAfter);
    return reservation;
  }

  private warn(msg: string, err: unknown): void {
    log("warn", msg, { limit: this.name, requestId: this.cache.requestId, error: String(err) });
  }
}

const secondsUntil = (resetMs: number) => Math.max(1, Math.ceil((resetMs - Date.now()) / 1000));

export const loginWindow = WINDOW.login;
export const registerWindow = WINDOW.register;
