// A signed-in user's tokens: the access token on every request, refreshed before it expires and
// once after a 401, with one refresh in flight however many requests ask at once (the API
// rotates refresh tokens and treats a rotated one presented again as theft, revoking the
// session: two parallel refreshes would sign the user out).
import { ApiError } from "./errors.ts";

export interface Tokens {
  access: string;
  refresh: string;
}

/** Where tokens are kept: memory by default; a browser may keep them in sessionStorage. */
export interface TokenStore {
  load(): Tokens | null;
  save(tokens: Tokens | null): void;
}

export function memoryStore(): TokenStore {
  let tokens: Tokens | null = null;
  return {
    load: () => tokens,
    save(next) {
      tokens = next;
    },
  };
}

/** A TokenStore in a Web Storage (`sessionStorage`: survives a reload, stays in the tab). */
export function webStore(storage: Storage, key: string): TokenStore {
  return {
    load() {
      try {
        const value = JSON.parse(storage.getItem(key) ?? "null") as Partial<Tokens> | null;
        return value && typeof value.access === "string" && typeof value.refresh === "string"
          ? { access: value.access, refresh: value.refresh }
          : null;
      } catch {
        return null;
      }
    },
    save: (next) => (next ? storage.setItem(key, JSON.stringify(next)) : storage.removeItem(key)),
  };
}

export interface SessionOptions {
  /** The API's origin, e.g. `https://shop.example.com`. */
  baseUrl: string;
  store?: TokenStore;
  fetch?: typeof fetch;
  /** Refresh when the access token has fewer seconds left than this (default 30). */
  refreshBefore?: number;
}

export interface LoginResult {
  user: { id: number; username: string; email: string; first_name: string; last_name: string };
  tokens: Tokens;
}

export interface Session {
  /** `fetch` as the signed-in user (anonymous when signed out); throws ApiError 401 once the session has ended. */
  fetch: typeof fetch;
  /** A valid access token, refreshed first when about to expire; ApiError 401 when signed out or the session ended. */
  accessToken(): Promise<string>;
  signedIn(): boolean;
  login(username: string, password: string): Promise<LoginResult>;
  /** Revokes the session on the server (best effort), then forgets the tokens. */
  logout(): Promise<void>;
  /** Rotates the tokens now; concurrent callers share one rotation. */
  refresh(): Promise<void>;
  /** Runs when the session ends on its own (the refresh was refused); returns an unsubscribe. */
  onEnd(fn: () => void): () => void;
}

/** Seconds left on a JWT, read from its payload (only to decide when to refresh; the server verifies). */
export function secondsLeft(token: string): number {
  try {
    const part = token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
    return (JSON.parse(atob(part)) as { exp: number }).exp - Date.now() / 1000;
  } catch {
    return 0;
  }
}

export function createSession(options: SessionOptions): Session {
  const store = options.store ?? memoryStore();
  const send = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const refreshBefore = options.refreshBefore ?? 30;
  const url = (path: string) => new URL(path, options.baseUrl).toString();
  const ended = new Set<() => void>();
  let refreshing: Promise<void> | null = null;

  async function post(path: string, body: unknown, access?: string): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (access) headers.authorization = `Bearer ${access}`;
    try {
      return await send(url(path), { method: "POST", headers, body: JSON.stringify(body) });
    } catch {
      throw new ApiError(0, null);
    }
  }

  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      const current = store.load();
      if (!current) throw new ApiError(401, { detail: "Not signed in." });
      const res = await post("/api/auth/token/refresh/", { refresh: current.refresh });
      // Only the API refusing the refresh token ends the session: a 429 or a 503 is a passing
      // trouble, and signing the user out over it would lose a session that is still good.
      if (!res.ok && res.status !== 401) throw await ApiError.from(res);
      if (!res.ok) {
        await res.body?.cancel();
        store.save(null);
        for (const fn of ended) fn();
        throw new ApiError(401, { detail: "Your session has ended. Sign in again." });
      }
      store.save((await res.json()) as Tokens);
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function accessToken(): Promise<string> {
    const current = store.load();
    if (!current) throw new ApiError(401, { detail: "Not signed in." });
    if (secondsLeft(current.access) < refreshBefore) await refresh();
    return store.load()!.access;
  }

  const withToken = (request: Request, access: string) => {
    const headers = new Headers(request.headers);
    headers.set("authorization", `Bearer ${access}`);
    return new Request(request, { headers });
  };

  const authFetch: typeof fetch = async (input, init) => {
    const request = new Request(input instanceof URL ? input.toString() : input, init);
    if (!store.load()) return send(request);
    // A retry needs the body again: keep a copy before the first send consumes it.
    const again = request.clone();
    const access = await accessToken();
    const res = await send(withToken(request, access));
    if (res.status !== 401 || !store.load()) return res;
    await res.body?.cancel();
    // Another request may have rotated the tokens meanwhile, or ended the session: refresh only
    // if neither happened.
    if (store.load()?.access === access) await refresh();
    const fresh = store.load();
    if (!fresh) throw new ApiError(401, { detail: "Your session has ended. Sign in again." });
    return send(withToken(again, fresh.access));
  };

  return {
    fetch: authFetch,
    accessToken,
    refresh,
    signedIn: () => store.load() !== null,
    async login(username, password) {
      const res = await post("/api/auth/login/", { username, password });
      if (!res.ok) throw await ApiError.from(res);
      const result = (await res.json()) as LoginResult;
      store.save(result.tokens);
      return result;
    },
    async logout() {
      const current = store.load();
      if (!current) return;
      try {
        const res = await post("/api/auth/logout/", { refresh: current.refresh }, current.access);
        await res.body?.cancel();
      } catch {
        // Signed out here anyway: an unreachable server cannot keep the session on this device.
      } finally {
        store.save(null);
      }
    },
    onEnd(fn) {
      ended.add(fn);
      return () => ended.delete(fn);
    },
  };
}
