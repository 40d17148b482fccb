import { and, eq } from "drizzle-orm";
import type { Context, MiddlewareHandler } from "hono";
import { users } from "../db/schema";
import type { AppEnv, AuthUser } from "../env";
import { forbidden, invalidToken, notAuthenticated } from "../lib/errors";
import { verifyToken } from "../lib/tokens";

/**
 * Verifies an access token and loads its user, so deleted or deactivated users are refused at
 * once; sets `c.var.user`.
 */
export async function authenticateToken(c: Context<AppEnv>, token: string): Promise<AuthUser> {
  const claims = await verifyToken(c.var.config, token, "access");
  const [user] = await c.var.db
    .select({ id: users.id, username: users.username, isStaff: users.isStaff })
    .from(users)
    .where(and(eq(users.id, claims.userId), eq(users.isActive, true)));
  if (!user) throw invalidToken();
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
  return async (c, next) => {
    await authenticate(c);
    await next();
  };
}

/** 401 as `requireAuth`, then 403 for anyone who is not staff. */
export function requireStaff(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await authenticate(c);
    if (!c.var.user.isStaff) throw forbidden();
    await next();
  };
}
