import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { ApiError } from "../../lib/errors";
import { DUMMY_HASH, hashPassword, verifyPassword } from "../../lib/passwords";
import { Throttle, loginWindow, registerWindow } from "../../lib/throttle";
import { verifyToken } from "../../lib/tokens";
import { validate } from "../../lib/validate";
import { requireAuth } from "../../middleware/auth";
import { loginSchema, profileSchema, refreshSchema, registerSchema } from "./auth.schemas";
import { profileJson, userJson } from "./auth.serialize";
import {
  createUser,
  findActiveUser,
  findActiveUserByUsername,
  issueTokens,
  revokeFamily,
  rotateRefreshToken,
  updateProfile,
} from "./auth.service";

const clientIp = (c: Context<AppEnv>) => c.req.header("cf-connecting-ip") ?? "unknown";

const loginFailed = () => new ApiError(401, { detail: "No active account found with the given credentials" });

const auth = new Hono<AppEnv>()
  .post("/register", validate("json", registerSchema), async (c) => {
    await new Throttle(c.var.cache, "register:ip", c.var.config.REGISTER_LIMIT_PER_IP, registerWindow).hit(clientIp(c));
    const input = c.req.valid("json");
    const user = await createUser(c.var.db, input, await hashPassword(input.password));
    const tokens = await issueTokens(c.var.db, c.var.config, user.id);
    return c.json({ message: "User registered succesfully!", user: userJson(user), tokens }, 201);
  })
  .post("/login", validate("json", loginSchema), async (c) => {
    const { username, password } = c.req.valid("json");
    const { config, cache } = c.var;
    const byUser = new Throttle(cache, "login:user", config.LOGIN_LIMIT_PER_USERNAME, loginWindow);
    const byIp = new Throttle(cache, "login:ip", config.LOGIN_LIMIT_PER_IP, loginWindow);
    const name = username.toLowerCase();
    await Promise.all([byUser.check(name), byIp.check(clientIp(c))]);
    const user = await findActiveUserByUsername(c.var.db, username);
    // Hash even for unknown users so the answer takes the same time either way.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      await Promise.all([byUser.hit(name), byIp.hit(clientIp(c))]);
      throw loginFailed();
    }
    const tokens = await issueTokens(c.var.db, config, user.id);
    return c.json({ message: "Login successful!", user: userJson(user), tokens }, 200);
  })
  .post("/token/refresh", validate("json", refreshSchema), async (c) => {
    const tokens = await rotateRefreshToken(c.var.db, c.var.config, c.req.valid("json").refresh);
    return c.json({ access: tokens.access, refresh: tokens.refresh }, 200);
  })
  .post("/logout", requireAuth(), validate("json", refreshSchema), async (c) => {
    const claims = await verifyToken(c.var.config, c.req.valid("json").refresh, "refresh");
    await revokeFamily(c.var.db, claims.family!, c.var.user.id);
    return c.json({ detail: "Successfully logged out." }, 200);
  })
  .get("/profile", requireAuth(), async (c) => {
    const user = await findActiveUser(c.var.db, c.var.user.id);
    return c.json(profileJson(user!), 200);
  })
  .on(["PUT", "PATCH"], "/profile", requireAuth(), validate("json", profileSchema), async (c) => {
    const user = await updateProfile(c.var.db, c.var.user.id, c.req.valid("json"));
    return c.json({ message: "Profile updated successfully", profile: profileJson(user) }, 200);
  });

export default auth;
