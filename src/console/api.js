// @ts-check
// The console's only way to the server: the public REST API with the staff member's tokens,
// through @edge-shop/client's session (packages/client, served as /admin/client.js), which
// refreshes them once however many calls find them expired. Tokens and the signed-in user live
// in sessionStorage: they survive a reload, stay in this tab, and go when it closes.

import { ApiError, createSession, webStore } from "./client.js";

/** @import { StaffMe } from "./types.js" */

export { ApiError };

const STORE = "edge-shop.console.session";
const USER = "edge-shop.console.user";
const session = createSession({ baseUrl: location.origin, store: webStore(sessionStorage, STORE) });

/**
 * The message to show for anything a call threw (an ApiError's is the API's own).
 * @param {unknown} error
 */
export const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/**
 * The DRF field errors of what a call threw, or null when it has none.
 * @param {unknown} error
 */
export const fieldErrors = (error) => (error instanceof ApiError ? error.fields : null);

/** @returns {StaffMe | null} */
export function currentUser() {
  try {
    return session.signedIn() ? JSON.parse(sessionStorage.getItem(USER) ?? "null") : null;
  } catch {
    return null;
  }
}

/** @param {StaffMe | null} user */
function setUser(user) {
  if (user) sessionStorage.setItem(USER, JSON.stringify(user));
  else sessionStorage.removeItem(USER);
}

/**
 * `fn(reason)` runs when the session ends on its own (refresh refused); returns an unsubscribe.
 * @param {(reason: string) => void} fn
 */
export function onSessionEnd(fn) {
  return session.onEnd(() => {
    setUser(null);
    fn("Your session has ended. Sign in again.");
  });
}

/** A valid access token, refreshed first when it has under 30 seconds left. */
export const accessToken = () => session.accessToken();

/**
 * Calls the API as the signed-in staff member; a 401 is retried once after a refresh. Throws ApiError.
 * The answer is the route's JSON: callers name its shape (types.js) with a cast.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, query?: Record<string, string | number | null | undefined> }} [options]
 * @returns {Promise<unknown>}
 */
export async function api(path, { method = "GET", body, query } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== "" && v !== undefined && v !== null) url.searchParams.set(k, String(v));
  /** @type {Response} */
  let res;
  try {
    res = await session.fetch(url, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw error instanceof ApiError ? error : new ApiError(0, null);
  }
  if (!res.ok) throw await ApiError.from(res);
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/**
 * Signs in, then asks a staff-only route who this is: a customer's fresh tokens are revoked at
 * once and the sign-in is refused with a message saying why.
 * @param {string} username
 * @param {string} password
 */
export async function signIn(username, password) {
  await session.login(username, password);
  try {
    const user = /** @type {StaffMe} */ (await api("/api/admin/me/"));
    setUser(user);
    return user;
  } catch (error) {
    await session.logout();
    if (error instanceof ApiError && error.status === 403)
      throw new ApiError(403, { detail: "This is not a staff account. The staff console is for shop staff only." });
    throw error;
  }
}

/** Checks a stored session is still a staff session (after a reload); false when it is gone. */
export async function resume() {
  if (!session.signedIn()) return false;
  try {
    setUser(/** @type {StaffMe} */ (await api("/api/admin/me/")));
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) throw error;
    await session.logout();
    setUser(null);
    return false;
  }
}

/** Revokes the refresh token's family on the server, then forgets the tokens whatever the answer. */
export async function signOut() {
  await session.logout();
  setUser(null);
}
