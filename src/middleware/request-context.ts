import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { readConfig } from "../config";
import type { AppEnv } from "../context";
import { logRequest } from "../lib/log";

const safeId = /^[\w.-]{1,64}$/;

/** The route that answered (`/api/products/:id{[0-9]+}`), so logs group by route; null when none matched. */
const answeredRoute = (c: Context<AppEnv>) => matchedRoutes(c).findLast((r) => r.method !== "ALL")?.path ?? null;

/** Request id, parsed config and one structured log line per request. */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && safeId.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", requestId);
    const config = readConfig(c.env);
    c.set("config", config);
    await next();
    // A 101 WebSocket response has immutable headers.
    if (c.res.status !== 101) c.res.headers.set("X-Request-Id", requestId);
    if (config.LOG_REQUESTS) {
      logRequest({
        requestId,
        method: c.req.method,
        path: c.req.path,
        route: answeredRoute(c),
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        userId: c.get("user")?.id,
      });
    }
  };
}
