import { and, eq, sql } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, AuthUser } from "../context";
import { users } from "../db/schema";
import { forbidden, invalidToken, notAuthenticated } from "../lib/errors";
import { verifyToken } from "../lib/tokens";
import { accessDoc, documents } from "../openapi/describe";

/**
 * Verifies an access token and loads its user, so deleted or deactivated users, and sessions
 * ended by logout or by a refresh token's reuse, are refused at once; sets `c.var.user`.
 */
export async function authenticateToken(c: Context<AppEnv>, token: string): Promise<AuthUser> {
  const claims = await verifyToken(c.var.config, token, "access");
  // Written out in full: drizzle leaves a single-table select's columns unqualified, so an
  // interpolated users.id inside this subquery would mean token_families.id.
  const liveSession = claims.family
    ? sql`exists (select 1 from token_families f where f.id = ${claims.family}::uuid and f.user_id = "users"."id" and f.revoked_at is null)`
    : undefined;
  const [row] = await c.var.db
    .select({ id: users.id, username: users.username, isStaff: users.isStaff, hubKey: users.hubKey })
    .from(users)
    .where(and(eq(users.id, claims.userId), eq(users.isActive, true), liveSession));
  if (!row) throw invalidToken();
  const user: AuthUser = { ...row, family: claims.family };
  c.set("user", user);
  return user;
}

async function authenticate(c: Context<AppEnv>): Promise<void> {
  const header = c.req.header("authorization");
  if (!header) throw notAuthenticated();
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  if (!match) throw invalidToken();
  await authenticateToken(c, match[1]!);
}

/** 401 unless a valid access token of an active user is presented; sets `c.var.user`. */
export function requireAuth(): MiddlewareHandler<AppEnv> {
  return documents<MiddlewareHandler<AppEnv>>(async (c, next) => {
    await authenticate(c);
    await next();
  }, accessDoc("user"));
}

/** 401 as `requireAuth`, then 403 for anyone who is not staff. */
export function requireStaff(): MiddlewareHandler<AppEnv> {
  return documents<MiddlewareHandler<AppEnv>>(async (c, next) => {
    await authenticate(c);
    if (!c.var.user.isStaff) throw forbidden();
    await next();
  }, accessDoc("staff"));
}
