import { errors, jwtVerify, SignJWT } from "jose";
import type { Config } from "../config";
import { invalidToken } from "./errors";
import { INT4_MAX } from "./fields";

/** Pinned: a token naming any other algorithm (`none` included) is refused by jose. */
const ALGORITHM = "HS256";

export type TokenType = "access" | "refresh";

export interface TokenClaims {
  userId: number;
  jti: string;
  /**
   * The login session (token family): always in refresh tokens; in access tokens too, so a logout
   * ends the access tokens of its session at once.
   */
  family?: string;
  /**
   * Access tokens only: whether the user was staff when it was signed, so a customer is refused a
   * staff route (403) before anything else runs. Staff rights are confirmed with the route's own
   * statements; rights given later take effect at the next login or refresh.
   */
  staff?: boolean;
}

type TokenConfig = Pick<Config, "JWT_SECRET" | "JWT_SECRET_PREVIOUS" | "ACCESS_TOKEN_TTL" | "REFRESH_TOKEN_TTL">;

const encoder = new TextEncoder();

/** Only what `signToken` writes: a user id in plain decimal within Postgres `integer`, so no other spelling or size reaches SQL. */
const subject = (sub: unknown): number | null =>
  typeof sub === "string" && /^[1-9]\d{0,9}$/.test(sub) && Number(sub) <= INT4_MAX ? Number(sub) : null;

/** Families are uuids compared in SQL; any other spelling is refused before it gets there. */
const uuid = (value: unknown): string | null =>
  typeof value === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value)
    ? value
    : null;

export async function signToken(config: TokenConfig, type: TokenType, claims: TokenClaims): Promise<string> {
  const ttl = type === "access" ? config.ACCESS_TOKEN_TTL : config.REFRESH_TOKEN_TTL;
  // `token_type` and `user_id` are the claims djangorestframework-simplejwt clients know.
  const custom = {
    ...(claims.family ? { fam: claims.family } : {}),
    ...(type === "access" && claims.staff !== undefined ? { staff: claims.staff } : {}),
  };
  return new SignJWT({ token_type: type, user_id: claims.userId, ...custom })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(String(claims.userId))
    .setJti(claims.jti)
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`)
    .sign(encoder.encode(config.JWT_SECRET));
}

/** Verifies with the current secret, then the previous one (key rotation); any failure is the contract's 401. */
export async function verifyToken(config: TokenConfig, token: string, type: TokenType): Promise<TokenClaims> {
  const secrets = [config.JWT_SECRET, config.JWT_SECRET_PREVIOUS].filter((s): s is string => !!s);
  for (const secret of secrets) {
    try {
      const { payload } = await jwtVerify(token, encoder.encode(secret), { algorithms: [ALGORITHM] });
      const userId = subject(payload.sub);
      if (payload.token_type !== type || userId === null || typeof payload.jti !== "string") {
        throw invalidToken();
      }
      const family = payload.fam === undefined ? undefined : uuid(payload.fam);
      if (family === null || (type === "refresh" && family === undefined)) throw invalidToken();
      const staff = typeof payload.staff === "boolean" ? payload.staff : undefined;
      return { userId, jti: payload.jti, family, staff };
    } catch (err) {
      if (err instanceof errors.JWSSignatureVerificationFailed) continue;
      throw invalidToken();
    }
  }
  throw invalidToken();
}
