import { and, eq, isNull, sql } from "drizzle-orm";
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { tokenFamilies, users } from "../../db/schema";
import { fieldError, invalidToken } from "../../lib/errors";
import { pgError } from "../../lib/pg-error";
import { signToken, verifyToken } from "../../lib/tokens";
import { usernameKey } from "../../lib/username";
import type { ProfileInput, RegisterInput } from "./auth.schemas";

type User = typeof users.$inferSelect;

const uniqueViolation = (err: unknown): string | undefined => {
  const pg = pgError(err);
  return pg?.code === "23505" ? (pg.constraint ?? "") : undefined;
};

/** The unique indexes decide, so two simultaneous registrations cannot both win. */
export async function createUser(db: Db, input: RegisterInput, passwordHash: string): Promise<User> {
  const key = usernameKey(input.username);
  const clash = await db
    .select({ usernameKey: users.usernameKey })
    .from(users)
    .where(sql`${users.usernameKey} = ${key} or lower(${users.email}) = lower(${input.email})`)
    .limit(1);
  if (clash[0]) throw duplicateError(clash[0].usernameKey === key ? "username" : "email");
  try {
    const [user] = await db
      .insert(users)
      .values({
        username: input.username,
        usernameKey: key,
        email: input.email,
        passwordHash,
        firstName: input.first_name,
        lastName: input.last_name,
      })
      .returning();
    return user!;
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint === undefined) throw err;
    throw duplicateError(constraint.includes("email") ? "email" : "username");
  }
}

const duplicateError = (field: "username" | "email") => fieldError(field, `A user with that ${field} already exists.`);

/** `key` is `usernameKey(username)`: compared as stored, never folded again by Postgres. */
export async function findActiveUserByKey(db: Db, key: string): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.usernameKey, key), eq(users.isActive, true)));
  return user;
}

export async function findActiveUser(db: Db, id: number): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, id), eq(users.isActive, true)));
  return user;
}

export async function updateProfile(db: Db, id: number, input: ProfileInput): Promise<User> {
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
  if (Object.keys(defined).length === 0) return (await findActiveUser(db, id))!;
  const [user] = await db.update(users).set(defined).where(eq(users.id, id)).returning();
  return user!;
}

type TokenConfig = Parameters<typeof signToken>[0];

async function pair(config: TokenConfig, userId: number, family: string, jti: string) {
  const [access, refresh] = await Promise.all([
    signToken(config, "access", { userId, jti: crypto.randomUUID(), family }),
    signToken(config, "refresh", { userId, jti, family }),
  ]);
  return { refresh, access };
}

/** Starts a token family: one per login, the unit that reuse detection and logout revoke. */
export async function issueTokens(db: Db, config: TokenConfig, userId: number) {
  const family = crypto.randomUUID();
  const jti = crypto.randomUUID();
  await db.insert(tokenFamilies).values({ id: family, userId, currentJti: jti });
  return pair(config, userId, family, jti);
}

/** A session a revocation just ended, so its notification sockets can be closed. */
export interface EndedSession {
  family: string;
  hubKey: string;
  isStaff: boolean;
}

/**
 * Only the family's current token may rotate, and the conditional update lets exactly one
 * concurrent caller win. Any other token of a live family is a replay: the family is revoked,
 * and `onRevoked` hears of it (then the contract's 401 is thrown).
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
  const rotated = await db
    .update(tokenFamilies)
    .set({ currentJti: next, rotatedAt: new Date() })
    .where(
      and(
        eq(tokenFamilies.id, family),
        eq(tokenFamilies.currentJti, claims.jti),
        eq(tokenFamilies.userId, claims.userId),
        isNull(tokenFamilies.revokedAt),
        sql`exists (select 1 from ${users} where ${users.id} = ${claims.userId} and ${users.isActive})`,
      ),
    )
    .returning({ id: tokenFamilies.id });
  if (rotated.length === 0) {
    const ended = await revokeFamily(db, family, claims.userId);
    if (ended) onRevoked(ended);
    throw invalidToken();
  }
  return pair(config, claims.userId, family, next);
}

/** Ends a session; null when it had already ended (or is not this user's). */
export async function revokeFamily(db: Db, family: string, userId: number): Promise<EndedSession | null> {
  const { rows } = await db.execute<{ hub_key: string; is_staff: boolean }>(sql`
    UPDATE token_families f SET revoked_at = now() FROM users u
    WHERE f.id = ${family}::uuid AND f.user_id = ${userId}::int AND f.revoked_at IS NULL AND u.id = f.user_id
    RETURNING u.hub_key, u.is_staff`);
  const row = rows[0];
  return row ? { family, hubKey: row.hub_key, isStaff: row.is_staff } : null;
}
