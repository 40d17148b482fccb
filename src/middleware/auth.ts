import { sql } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, AuthUser, Session } from "../context";
import { forbidden, invalidToken, notAuthenticated } from "../lib/errors";
import { verifyToken } from "../lib/tokens";
import { accessDoc, documents } from "../openapi/describe";

/*
 * Authentication in two halves, so it costs no round trip of its own: the guard verifies the
 * access token here, with no I/O (jose), and the route's own batch starts with `sessionCheck`,
 * the statement that refuses a deleted or deactivated user, an ended session or a non-staff
 * caller on a staff route. A refusal raises inside the batch (shop_refuse, migration 0002), so
 * the rest of the batch never runs and nothing is written; onError answers the contract's 401/403.
 */

type Item = BatchItem<"pg">;

/** The statement that confirms a verified token's user and session, and returns who they are. */
function sessionCheck(c: Context<AppEnv>) {
  const { userId, family, staff } = c.var.session;
  return c.var.db.execute<{ id: number; username: string; is_staff: boolean; hub_key: string }>(sql`
    SELECT u.id, u.username, u.is_staff, u.hub_key
    FROM (SELECT ${userId}::int AS id) me LEFT JOIN users u ON u.id = me.id
    WHERE CASE
      WHEN u.id IS NULL OR NOT u.is_active
        OR (${family ?? null}::uuid IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM token_families f WHERE f.id = ${family ?? null}::uuid AND f.user_id = u.id AND f.revoked_at IS NULL))
        THEN shop_refuse('SH401')
      WHEN ${staff}::boolean AND NOT u.is_staff THEN shop_refuse('SH403')
      ELSE true END`);
}

/**
 * Runs `queries` in one round trip (one transaction) behind the session check; sets `c.var.user`.
 * Answers the queries' results, in order.
 */
export async function authorized<T extends Item[]>(c: Context<AppEnv>, ...queries: T): Promise<BatchResponse<T>> {
  const [who, ...results] = await c.var.db.batch([sessionCheck(c), ...queries] as [Item, ...Item[]]);
  const row = (who as { rows: { id: number; username: string; is_staff: boolean; hub_key: string }[] }).rows[0];
  // Unreachable: the check raises instead of answering no row.
  if (!row) throw invalidToken();
  const user: AuthUser = {
    id: row.id,
    username: row.username,
    isStaff: row.is_staff,
    hubKey: row.hub_key,
    family: c.var.session.family,
  };
  c.set("user", user);
  return results as BatchResponse<T>;
}

/** Verifies an access token (no I/O) and records whose it is; `authorized()` confirms it with the route's work. */
export async function verifySession(c: Context<AppEnv>, token: string, staff: boolean): Promise<Session> {
  const claims = await verifyToken(c.var.config, token, "access");
  const session: Session = { userId: claims.userId, family: claims.family, staff, claimsStaff: claims.staff };
  c.set("session", session);
  return session;
}

function bearerToken(c: Context<AppEnv>): string {
  const header = c.req.header("authorization");
  if (!header) throw notAuthenticated();
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  if (!match) throw invalidToken();
  return match[1]!;
}

/** 401 unless a valid access token is presented; its user and session are confirmed by `authorized()`. */
export function requireAuth(): MiddlewareHandler<AppEnv> {
  return documents<MiddlewareHandler<AppEnv>>(async (c, next) => {
    await verifySession(c, bearerToken(c), false);
    await next();
  }, accessDoc("user"));
}

/**
 * As `requireAuth`, and 403 for anyone who is not staff: at once when the token says so, else
 * when `authorized()` finds the user is no longer staff. A token signed before tokens said
 * (no `staff` claim) costs one round trip of its own to find out.
 */
export function requireStaff(): MiddlewareHandler<AppEnv> {
  return documents<MiddlewareHandler<AppEnv>>(async (c, next) => {
    const claimed = await verifySession(c, bearerToken(c), true);
    if (claimed.claimsStaff === false) throw forbidden();
    if (claimed.claimsStaff === undefined) await authorized(c);
    await next();
  }, accessDoc("staff"));
}
