import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import type { Config } from "../config";
import type { AppEnv } from "../context";

/**
 * One policy for the JSON API and the docs page: the page loads only its own files from this
 * origin (no inline script or style), and the data: images are the icons inside swagger-ui.css.
 */
const headers = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: "DENY",
});

/** Security headers on every answer but a WebSocket's 101, whose headers are immutable (and moot). */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return (c, next) => (c.req.header("upgrade")?.toLowerCase() === "websocket" ? next() : headers(c, next));
}

const policies = new WeakMap<Config, MiddlewareHandler>();

/**
 * CORS for the origins in `CORS_ORIGINS` only (none by default). Tokens travel in the
 * Authorization header, never in cookies, so credentials are not allowed.
 */
export function corsPolicy(): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const config = c.var.config;
    let policy = policies.get(config);
    if (!policy) {
      policy = cors({
        origin: config.CORS_ORIGINS,
        allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
        exposeHeaders: ["X-Request-Id", "Retry-After", "Idempotent-Replayed", "X-Cache"],
        maxAge: 600,
      });
      policies.set(config, policy);
    }
    return policy(c, next);
  };
}
