import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";
import { connect } from "../db/client";
import { Cache } from "../lib/cache";

/** The database (no connection of its own: Neon's HTTP path) and the request's cache. */
export function services(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const config = c.get("config");
    c.set("db", connect(config).db);
    c.set("cache", new Cache(config, c.get("requestId")));
    await next();
  };
}
