// @ts-check
// The console's only way to the server: the public REST API with the staff member's tokens.
// Tokens live in sessionStorage: they survive a reload, stay in this tab, and go when it closes.

/** @import { AuthResult, FieldErrors, StaffMe, Tokens } from "./types.js" */

/** @typedef {{ access: string, refresh: string, user?: StaffMe }} Session */
/** @typedef {{ status: number, ok: boolean, data: unknown }} Answer */

const STORE = "edge-shop.console.session";

export class ApiError extends Error {
  /**
   * @param {number} status 0 when the API could not be reached
   * @param {unknown} body the answer's JSON, if any
   */
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body;
    // DRF field errors ({"price": ["..."]}), when the answer is a 400 of that shape.
    /** @type {FieldErrors | null} */
    this.fields =
      status === 400 && body && typeof body === "object" && !("detail" in body)
        ? /** @type {FieldErrors} */ (body)
        : null;
  }
}

/**
 * @param {number} status
 * @param {unknown} body
 */
function describe(status, body) {
  if (body && typeof body === "object" && "detail" in body && typeof body.detail === "string") return body.detail;
  if (body && typeof body === "object") {
    const lines = Object.entries(body).map(
      ([field, list]) =>
        `${field === "non_field_errors" ? "" : `${field}: `}${/** @type {unknown[]} */ ([]).concat(list).join(" ")}`,
    );
    if (lines.length) return lines.join(" ");
  }
  if (status === 0) return "The API could not be reached. Check the connection and retry.";
  return `The API answered ${status}.`;
}

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

let session = read();
/** @type {Set<(reason: string) => void>} */
const listeners = new Set();

/** @returns {Session | null} */
function read() {
  try {
    const value = /** @type {Partial<Session> | null} */ (JSON.parse(sessionStorage.getItem(STORE) ?? "null"));
    return value && typeof value.access === "string" && typeof value.refresh === "string"
      ? /** @type {Session} */ (value)
      : null;
  } catch {
    return null;
  }
}

/** @param {Session | null} next */
function save(next) {
  session = next;
  if (next) sessionStorage.setItem(STORE, JSON.stringify(next));
  else sessionStorage.removeItem(STORE);
}

export const currentUser = () => session?.user ?? null;

/**
 * `fn(reason)` runs when the session ends on its own (refresh refused); returns an unsubscribe.
 * @param {(reason: string) => void} fn
 */
export function onSessionEnd(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** @param {string} reason */
function end(reason) {
  save(null);
  for (const fn of listeners) fn(reason);
}

/**
 * @param {string} path
 * @param {{ method?: string, body?: unknown, token?: string }} [options]
 * @returns {Promise<Answer>}
 */
async function request(path, { method = "GET", body, token } = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await res.text();
  /** @type {unknown} */
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  return { status: res.status, ok: res.ok, data };
}

/**
 * Seconds left on a JWT, read from its payload (only to decide when to refresh; the server verifies).
 * @param {string} token
 */
function secondsLeft(token) {
  try {
    const payload = /** @type {{ exp: number }} */ (
      JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")))
    );
    return payload.exp - Date.now() / 1000;
  } catch {
    return 0;
  }
}

/** @type {Promise<void> | null} */
let refreshing = null;

/** Rotates the refresh token once, however many callers ask at the same time. */
function refresh() {
  refreshing ??= (async () => {
    const current = session;
    if (!current) throw new ApiError(401, { detail: "Not signed in." });
    const r = await request("/api/auth/token/refresh/", { method: "POST", body: { refresh: current.refresh } });
    if (r.status === 0) throw new ApiError(0, null);
    if (!r.ok) {
      end("Your session has ended. Sign in again.");
      throw new ApiError(401, { detail: "Your session has ended. Sign in again." });
    }
    const tokens = /** @type {Tokens} */ (r.data);
    save({ ...current, access: tokens.access, refresh: tokens.refresh });
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * A valid access token, refreshed first when it has under 30 seconds left.
 * @returns {Promise<string>}
 */
export async function accessToken() {
  if (!session) throw new ApiError(401, { detail: "Not signed in." });
  if (secondsLeft(session.access) < 30) await refresh();
  return session.access;
}

/**
 * Calls the API as the signed-in staff member; a 401 is retried once after a refresh. Throws ApiError.
 * The answer is the route's JSON: callers name its shape (types.js) with a cast.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, query?: Record<string, string | number | null | undefined> }} [options]
 * @returns {Promise<unknown>}
 */
export async function api(path, { method = "GET", body, query } = {}) {
  const url = query
    ? `${path}?${new URLSearchParams(
        Object.entries(query)
          .filter(([, v]) => v !== "" && v !== undefined && v !== null)
          .map(([k, v]) => [k, String(v)]),
      )}`
    : path;
  let r = await request(url, { method, body, token: await accessToken() });
  if (r.status === 401 && session) {
    await refresh();
    r = await request(url, { method, body, token: session.access });
  }
  if (!r.ok) throw new ApiError(r.status, r.data);
  return r.data;
}

/**
 * Signs in, then asks a staff-only route who this is: a customer's fresh tokens are revoked at
 * once and the sign-in is refused with a message saying why.
 * @param {string} username
 * @param {string} password
 */
export async function signIn(username, password) {
  const login = await request("/api/auth/login/", { method: "POST", body: { username, password } });
  if (!login.ok) throw new ApiError(login.status, login.data);
  const { access, refresh: refreshToken } = /** @type {AuthResult} */ (login.data).tokens;
  const me = await request("/api/admin/me/", { token: access });
  if (me.status === 403) {
    await request("/api/auth/logout/", { method: "POST", body: { refresh: refreshToken }, token: access });
    throw new ApiError(403, { detail: "This is not a staff account. The staff console is for shop staff only." });
  }
  if (!me.ok) throw new ApiError(me.status, me.data);
  const user = /** @type {StaffMe} */ (me.data);
  save({ access, refresh: refreshToken, user });
  return user;
}

/** Checks a stored session is still a staff session (after a reload); false when it is gone. */
export async function resume() {
  if (!session) return false;
  try {
    session.user = /** @type {StaffMe} */ (await api("/api/admin/me/"));
    save(session);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) throw error;
    save(null);
    return false;
  }
}

/** Revokes the refresh token's family on the server, then forgets the tokens whatever the answer. */
export async function signOut() {
  const current = session;
  if (!current) return;
  try {
    await api("/api/auth/logout/", { method: "POST", body: { refresh: session?.refresh ?? current.refresh } });
  } catch {
    // Signed out locally anyway; an unreachable server cannot keep the session in this tab.
  } finally {
    save(null);
  }
}
