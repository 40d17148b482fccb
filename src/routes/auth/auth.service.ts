import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { tokenFamilies, users } from "../../db/schema";
import type { Config } from "../../env";
import { fieldError, invalidToken } from "../../lib/errors";
import { pgError } from "../../lib/pg-error";
import { signToken, verifyToken } from "../../lib/tokens";
import type { ProfileInput, RegisterInput } from "./auth.schemas";

type User = typeof users.$inferSelect;

const uniqueViolation = (err: unknown): string | undefined => {
  const pg = pgError(err);
  return pg?.code === "23505" ? (pg.constraint ?? "") : undefined;
};

/** The unique indexes decide, so two simultaneous registrations cannot both win. */
export async function createUser(db: Db, input: RegisterInput, passwordHash: string): Promise<User> {
  const clash = await db
    .select({ username: users.username, email: users.email })
    .from(users)
    .where(sql`lower(${users.username}) = lower(${input.username}) or lower(${users.email}) = lower(${input.email})`)
    .limit(1);
  if (clash[0]) throw duplicateError(clash[0].username.toLowerCase() === input.username.toLowerCase() ? "username" : "email");
  try {
    const [user] = await db
      .insert(users)
      .values({ username: input.username, email: input.email, passwordHash, firstName: input.first_name, lastName: input.last_name })
      .returning();
    return user!;
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint === undefined) throw err;
    throw duplicateError(constraint.includes("email") ? "email" : "username");
  }
}

const duplicateError = (field: "username" | "email") => fieldError(field, `A user with that ${field} already exists.`);

export async function findActiveUserByUsername(db: Db, username: string): Promise<User | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(and(sql`lower(${users.username}) = lower(${username})`, eq(users.isActive, true)));
  return user;
}

export async function findActiveUser(db: Db, id: number): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(and(eq(users.id, id), eq(users.isActive, true)));
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
    signToken(config, "access", { userId, jti: crypto.randomUUID() }),
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

/**
 * Only the family's current token may rotate, and the conditional update lets exactly one
 * concurrent caller win. Any other token of a live family is a replay: the family is revoked.
 */
export async function rotateRefreshToken(db: Db, config: Config, token: string) {
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
    await revokeFamily(db, family, claims.userId);
    throw invalidToken();
  }
  return pair(config, claims.userId, family, next);
}

export async function revokeFamily(db: Db, family: string, userId: number): Promise<void> {
  await db
    .update(tokenFamilies)
    .set({ revokedAt: new Date() })
    .where(and(eq(tokenFamilies.id, family), eq(tokenFamilies.userId, userId), isNull(tokenFamilies.revokedAt)));
}
