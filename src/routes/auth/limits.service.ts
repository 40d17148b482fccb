import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { throttled } from "../../lib/errors";
import { loginWindow, registerWindow, Throttle } from "../../lib/throttle";

/** How long an address that logged in to an account stays "known" to that account. */
const KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600;

export const clientIp = (c: Context<AppEnv>) => c.req.header("cf-connecting-ip") ?? "unknown";

/**
 * Reserves a login attempt against the per-address and the per-username limits before the
 * password is hashed, so parallel guesses are counted as they arrive. The per-username limit is a
 * soft lock: an address this account logged in from in the last 30 days passes it (still bounded
 * by its per-address limit), so ten bad passwords from a stranger cannot lock the owner out.
 * `succeeded()` gives both attempts back (a success does not count) and remembers the address.
 */
export async function reserveLogin(c: Context<AppEnv>, key: string): Promise<{ succeeded(): Promise<void> }> {
  const { config, cache } = c.var;
  const ip = clientIp(c);
  const byIp = new Throttle(cache, "login:ip", config.LOGIN_LIMIT_PER_IP, loginWindow);
  const byUser = new Throttle(cache, "login:user", config.LOGIN_LIMIT_PER_USERNAME, loginWindow);
  const known = cache.key("login", "known", key);
  const [fromIp, forUser] = await Promise.all([byIp.reserve(ip), byUser.reserve(key)]);
  if (!fromIp.allowed) {
    await forUser.refund();
    throw throttled(fromIp.retryAfter);
  }
  if (!forUser.allowed && !(await cache.isMember(known, ip))) {
    await fromIp.refund();
    throw throttled(forUser.retryAfter);
  }
  return {
    succeeded: async () => {
      await Promise.all([fromIp.refund(), forUser.refund(), cache.addMember(known, ip, KNOWN_ADDRESS_SECONDS)]);
    },
  };
}

/** One registration per attempt from an address, taken before the password is hashed. */
export async function reserveRegistration(c: Context<AppEnv>): Promise<void> {
  await new Throttle(c.var.cache, "register:ip", c.var.config.REGISTER_LIMIT_PER_IP, registerWindow).take(clientIp(c));
}
