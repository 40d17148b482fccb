import { SignJWT, errors, jwtVerify } from "jose";
import type { Config } from "../env";
import { invalidToken } from "./errors";
import { INT4_MAX } from "./fields";

/** Pinned: a token naming any other algorithm (`none` included) is refused by jose. */
const ALGORITHM = "HS256";

export type TokenType = "access" | "refresh";

export interface TokenClaims {
  userId: number;
  jti: string;
  /** Refresh tokens only: the login session (token family) they belong to. */
  family?: string;
}

type TokenConfig = Pick<Config, "JWT_SECRET" | "JWT_SECRET_PREVIOUS" | "ACCESS_TOKEN_TTL" | "REFRESH_TOKEN_TTL">;

const encoder = new TextEncoder();

/** Only what `signToken` writes: a user id in plain decimal within Postgres `integer`, so no other spelling or size reaches SQL. */
const subject = (sub: unknown): number | null =>
  typeof sub === "string" && /^[1-9]\d{0,9}$/.test(sub) && Number(sub) <= INT4_MAX ? Number(sub) : null;

export async function signToken(config: TokenConfig, type: TokenType, claims: TokenClaims): Promise<string> {
  const ttl = type === "access" ? config.ACCESS_TOKEN_TTL : config.REFRESH_TOKEN_TTL;
  // `token_type` and `user_id` are the claims djangorestframework-simplejwt clients know.
  return new SignJWT({ token_type: type, user_id: claims.userId, ...(claims.family ? { fam: claims.family } : {}) })
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
      if (type === "refresh" && typeof payload.fam !== "string") throw invalidToken();
      return { userId, jti: payload.jti, family: typeof payload.fam === "string" ? payload.fam : undefined };
    } catch (err) {
      if (err instanceof errors.JWSSignatureVerificationFailed) continue;
      throw invalidToken();
    }
  }
  throw invalidToken();
}
