import { type Context, Hono } from "hono";
import type { AppEnv } from "../../context";
import { ApiError } from "../../lib/errors";
import { log } from "../../lib/log";
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from "../../lib/passwords";
import { verifyToken } from "../../lib/tokens";
import { usernameKey } from "../../lib/username";
import { validate } from "../../lib/validate";
import { authorized, requireAuth } from "../../middleware/auth";
import { doc } from "../../openapi/describe";
import { Detail, TokenNotValid } from "../../openapi/schemas";
import { closeSession } from "../../realtime/deliver";
import { loginSchema, profileSchema, refreshSchema, registerSchema } from "./auth.schemas";
import { AuthResult, Profile, ProfileUpdated, profileJson, Tokens, userJson } from "./auth.serialize";
import {
  type EndedSession,
  ended,
  findActiveUserByKey,
  issueTokens,
  profileQuery,
  register,
  replacePasswordHash,
  revokeQuery,
  rotateRefreshToken,
  updateProfileQuery,
} from "./auth.service";
import { reserveLogin, reserveRegistration } from "./limits.service";

/**
 * Closes an ended session's sockets. A hub that cannot be reached is logged, not fatal: the
 * session is already refused everywhere, and the next event to that hub finds it ended and closes them.
 */
async function endSessionSockets(c: Context<AppEnv>, ended: EndedSession): Promise<void> {
  await closeSession(c.env, c.var.config, ended, ended.family).catch((err: unknown) => {
    log("error", "could not close an ended session's sockets", { requestId: c.var.requestId, error: String(err) });
  });
}

async function upgradeHash(c: Context<AppEnv>, user: { id: number; passwordHash: string }, password: string) {
  try {
    await replacePasswordHash(c.var.db, user.id, user.passwordHash, await hashPassword(password));
  } catch (err) {
    // The old hash still verifies: the next login tries again.
    log("error", "could not upgrade an imported password hash", { requestId: c.var.requestId, error: String(err) });
  }
}

const loginFailed = () => new ApiError(401, { detail: "No active account found with the given credentials" });

const badRefresh = {
  description: "The refresh token is invalid, expired, or was already rotated (its family is then revoked).",
  schema: TokenNotValid,
};

const auth = new Hono<AppEnv>()
  .post(
    "/register",
    doc({
      tag: "auth",
      summary: "Register and receive tokens",
      description:
        "Passwords: at least 8 characters, not all digits, not the username. Limited per client IP (`REGISTER_LIMIT_PER_IP` an hour).",
      errors: [429],
      ok: { status: 201, description: "Registered", schema: AuthResult },
    }),
    validate("json", registerSchema),
    async (c) => {
      await reserveRegistration(c);
      const input = c.req.valid("json");
      const { user, tokens } = await register(c.var.db, c.var.config, input, await hashPassword(input.password));
      return c.json({ message: "User registered succesfully!", user: userJson(user), tokens }, 201);
    },
  )
  .post(
    "/login",
    doc({
      tag: "auth",
      summary: "Log in and receive tokens",
      description:
        "Each login starts a token family (a session). Attempts are limited per client IP and per username; an address that logged in to the account before passes the per-username limit.",
      errors: [429],
      ok: { status: 200, description: "Logged in", schema: AuthResult },
      responses: { 401: { description: "No active account found with the given credentials", schema: Detail } },
    }),
    validate("json", loginSchema),
    async (c) => {
      const { username, password } = c.req.valid("json");
      const key = usernameKey(username);
      const attempt = await reserveLogin(c, key);
      const user = await findActiveUserByKey(c.var.db, key);
      // Hash even for unknown users so the answer takes the same time either way.
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      // A failure keeps its reserved attempts.
      if (!user || !ok) throw loginFailed();
      c.executionCtx.waitUntil(attempt.succeeded());
      // An imported hash (Django's 260,000 to 1,000,000 iterations) becomes one of ours after the
      // answer, so the next login costs what ours cost and this one waits for no extra trip.
      if (needsRehash(user.passwordHash)) c.executionCtx.waitUntil(upgradeHash(c, user, password));
      const tokens = await issueTokens(c.var.db, c.var.config, user);
      return c.json({ message: "Login successful!", user: userJson(user), tokens }, 200);
    },
  )
  .post(
    "/token/refresh",
    doc({
      tag: "auth",
      summary: "Rotate a refresh token",
      description: "Answers a new access token and a new refresh token; the one sent stops working.",
      ok: { status: 200, description: "New tokens", schema: Tokens },
      responses: { 401: badRefresh },
    }),
    validate("json", refreshSchema),
    async (c) => {
      // A reused refresh token ends its session: its sockets are closed in the background.
      const tokens = await rotateRefreshToken(c.var.db, c.var.config, c.req.valid("json").refresh, (ended) =>
        c.executionCtx.waitUntil(endSessionSockets(c, ended)),
      );
      return c.json({ access: tokens.access, refresh: tokens.refresh }, 200);
    },
  )
  .post(
    "/logout",
    doc({
      tag: "auth",
      summary: "End a session (revoke a refresh token's family)",
      description: "The session's access tokens stop working and its WebSockets are closed before this answers.",
      ok: { status: 200, description: "Logged out", schema: Detail },
    }),
    requireAuth(),
    validate("json", refreshSchema),
    async (c) => {
      const claims = await verifyToken(c.var.config, c.req.valid("json").refresh, "refresh");
      const [revoked] = await authorized(c, revokeQuery(c.var.db, claims.family!, c.var.session.userId));
      const session = ended(claims.family!, revoked);
      // Awaited: when logout answers, no socket of that session is still open.
      if (session) await endSessionSockets(c, session);
      return c.json({ detail: "Successfully logged out." }, 200);
    },
  )
  .get(
    "/profile",
    doc({ tag: "auth", summary: "Your profile", ok: { status: 200, description: "Profile", schema: Profile } }),
    requireAuth(),
    async (c) => {
      const [[user]] = await authorized(c, profileQuery(c.var.db, c.var.session.userId));
      return c.json(profileJson(user!), 200);
    },
  )
  .on(
    ["PUT", "PATCH"],
    "/profile",
    doc({
      tag: "auth",
      summary: "Update your profile (any subset of the writable fields)",
      description: "`username` and `email` are read-only and ignored.",
      ok: { status: 200, description: "Updated", schema: ProfileUpdated },
    }),
    requireAuth(),
    validate("json", profileSchema),
    async (c) => {
      const [[user]] = await authorized(c, updateProfileQuery(c.var.db, c.var.session.userId, c.req.valid("json")));
      return c.json({ message: "Profile updated successfully", profile: profileJson(user!) }, 200);
    },
  );

export default auth;
