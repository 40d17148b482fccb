import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";
import { createDb } from "../db/client";
import { Cache } from "../lib/cache";

/** Per-request Postgres pool and cache; the pool is closed after the response is sent. */
export function services(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const config = c.get("config");
    const { db, pool } = createDb(config);
    c.set("db", db);
    c.set("cache", new Cache(config, c.get("requestId")));
    try {
      await next();
    } finally {
      c.executionCtx.waitUntil(pool.end().catch(() => {}));
    }
  };
}
