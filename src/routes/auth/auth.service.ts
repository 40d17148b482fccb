import { and, eq, sql } from "drizzle-orm";
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { users } from "../../db/schema";
import { fieldError, invalidToken } from "../../lib/errors";
import { signToken, verifyToken } from "../../lib/tokens";
import { usernameKey } from "../../lib/username";
import type { ProfileInput, RegisterInput } from "./auth.schemas";

type User = typeof users.$inferSelect;

type TokenConfig = Parameters<typeof signToken>[0];

/** A user row as raw SQL answers it, with the names drizzle gives the columns. */
const userColumns = (table: string) =>
  sql.raw(`${table}.id, ${table}.username, ${table}.email, ${table}.first_name AS "firstName",
  ${table}.last_name AS "lastName", ${table}.is_staff AS "isStaff"`);
type UserRow = Pick<User, "id" | "username" | "email" | "firstName" | "lastName" | "isStaff">;

const duplicateError = (field: "username" | "email") => fieldError(field, `A user with that ${field} already exists.`);

async function pair(config: TokenConfig, user: { id: number; isStaff: boolean }, family: string, jti: string) {
  const [access, refresh] = await Promise.all([
    signToken(config, "access", { userId: user.id, jti: crypto.randomUUID(), family, staff: user.isStaff }),
    signToken(config, "refresh", { userId: user.id, jti, family }),
  ]);
  return { refresh, access };
}

/**
 * The account and its first session in one statement. The unique indexes decide, so two
 * simultaneous registrations cannot both win; a clash names its field, as DRF does.
 */
export async function register(db: Db, config: TokenConfig, input: RegisterInput, passwordHash: string) {
  const key = usernameKey(input.username);
  const family = crypto.randomUUID();
  const jti = crypto.randomUUID();
  const clashing = sql`SELECT username_key = ${key} AS username FROM users WHERE username_key = ${key} OR lower(email) = lower(${input.email}) LIMIT 1`;
  const { rows } = await db.execute<UserRow & { clash: boolean | null }>(sql`
    WITH clash AS (${clashing}),
    made AS (
      INSERT INTO users (username, username_key, email, password_hash, first_name, last_name)
      SELECT ${input.username}, ${key}, ${input.email}, ${passwordHash}, ${input.first_name}, ${input.last_name}
      WHERE NOT EXISTS (SELECT 1 FROM clash)
      ON CONFLICT DO NOTHING RETURNING *),
    session AS (INSERT INTO token_families (id, user_id, current_jti) SELECT ${family}::uuid, id, ${jti}::uuid FROM made)
    SELECT ${userColumns("made")}, (SELECT username FROM clash) AS clash FROM (SELECT 1) one LEFT JOIN made ON true`);
  const row = rows[0]!;
  if (row.id === null) {
    // Lost a race to a registration that committed after this statement began: ask who holds the name.
    const clash = row.clash ?? (await db.execute<{ username: boolean }>(clashing)).rows[0]?.username ?? true;
    throw duplicateError(clash ? "username" : "email");
  }
  return { user: row, tokens: await pair(config, row, family, jti) };
}

/** `key` is `usernameKey(username)`: compared as stored, never folded again by Postgres. */
export async function findActiveUserByKey(db: Db, key: string): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.usernameKey, key), eq(users.isActive, true)));
  return user;
}

/**
 * Replaces the hash a login just verified with a new one; only while it is still the one
 * checked, so a password changed meanwhile is never overwritten.
 */
export async function replacePasswordHash(db: Db, id: number, checked: string, next: string): Promise<void> {
  await db.execute(sql`UPDATE users SET password_hash = ${next} WHERE id = ${id}::int AND password_hash = ${checked}`);
}

/** Starts a session (a token family): one per login, the unit that reuse detection and logout revoke. */
export async function issueTokens(db: Db, config: TokenConfig, user: { id: number; isStaff: boolean }) {
  const family = crypto.randomUUID();
  const jti = crypto.randomUUID();
  await db.execute(
    sql`INSERT INTO token_families (id, user_id, current_jti) VALUES (${family}::uuid, ${user.id}::int, ${jti}::uuid)`,
  );
  return pair(config, user, family, jti);
}

/** The caller's profile, for a batch behind `authorized()`. */
export const profileQuery = (db: Db, id: number) => db.select().from(users).where(eq(users.id, id));

/** Sets the fields given (none: reads), for a batch behind `authorized()`. */
export function updateProfileQuery(db: Db, id: number, input: ProfileInput) {
  const changes = {
    firstName: input.first_name,
    lastName: input.last_name,
    phoneNumber: input.phone_number,
    address: input.address,
    city: input.city,
    postalCode: input.postal_code,
    country: input.country,
  };
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  if (Object.keys(defined).length === 0) return profileQuery(db, id);
  return db.update(users).set(defined).where(eq(users.id, id)).returning();
}

/** A session a revocation just ended, so its notification sockets can be closed. */
export interface EndedSession {
  family: string;
  hubKey: string;
  isStaff: boolean;
}

const endedSession = (family: string, row: { hub_key: string; is_staff: boolean } | undefined): EndedSession | null =>
  row ? { family, hubKey: row.hub_key, isStaff: row.is_staff } : null;

/** Ends a session; answers nothing when it had already ended (or is not this user's). For a batch, or alone. */
export const revokeQuery = (db: Db, family: string, userId: number) =>
  db.execute<{ hub_key: string; is_staff: boolean }>(sql`
    UPDATE token_families f SET revoked_at = now() FROM users u
    WHERE f.id = ${family}::uuid AND f.user_id = ${userId}::int AND f.revoked_at IS NULL AND u.id = f.user_id
    RETURNING u.hub_key, u.is_staff`);

export const ended = (family: string, result: { rows: { hub_key: string; is_staff: boolean }[] }) =>
  endedSession(family, result.rows[0]);

/**
 * Only the session's current refresh token may rotate, and the conditional update lets exactly
 * one concurrent caller win. Any other token of a live session is a replay: in the same
 * statement the session is revoked, and `onRevoked` hears of it (then the contract's 401 is thrown).
 */
export async function rotateRefreshToken(
  db: Db,
  config: Config,
  token: string,
  onRevoked: (ended: EndedSession) => void,
) {
  const claims = await verifyToken(config, token, "refresh");
  const family = claims.family!;
  const next = crypto.randomUUID();
  const { rows } = await db.execute<{
    rotated: boolean;
    revoked: boolean;
    is_staff: boolean | null;
    hub_key: string | null;
  }>(sql`
    WITH me AS (SELECT id, is_staff, hub_key FROM users WHERE id = ${claims.userId}::int AND is_active),
    rotated AS (
      UPDATE token_families SET current_jti = ${next}::uuid, rotated_at = now()
      WHERE id = ${family}::uuid AND current_jti::text = ${claims.jti} AND user_id = ${claims.userId}::int
        AND revoked_at IS NULL AND EXISTS (SELECT 1 FROM me)
      RETURNING id),
    revoked AS (
      UPDATE token_families SET revoked_at = now()
      WHERE id = ${family}::uuid AND user_id = ${claims.userId}::int AND revoked_at IS NULL AND NOT EXISTS (SELECT 1 FROM rotated)
      RETURNING id)
    SELECT EXISTS (SELECT 1 FROM rotated) AS rotated, EXISTS (SELECT 1 FROM revoked) AS revoked,
           u.is_staff, u.hub_key FROM (SELECT 1) one LEFT JOIN users u ON u.id = ${claims.userId}::int`);
  const row = rows[0]!;
  if (!row.rotated) {
    if (row.revoked && row.hub_key !== null) onRevoked({ family, hubKey: row.hub_key, isStaff: !!row.is_staff });
    throw invalidToken();
  }
  return pair(config, { id: claims.userId, isStaff: !!row.is_staff }, family, next);
}
