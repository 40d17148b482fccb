// The client's session (packages/client/src/session.ts) against a scripted fetch: the API's rules
// (a rotated refresh token presented again ends the session) make one refresh for many requests
// a requirement, not an optimisation.
import { describe, expect, it } from "vitest";
import { ApiError } from "../../packages/client/src/errors.ts";
import { createSession, memoryStore, type Tokens } from "../../packages/client/src/session.ts";

/** A JWT-shaped token whose payload says it expires in `seconds` (the client reads only `exp`). */
const jwt = (name: string, seconds: number) =>
  `h.${btoa(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + seconds, name }))}.s`;

/** An API whose current access token is `valid`; refreshing rotates it and counts. */
function scriptedApi(first: Tokens) {
  let valid = first.access;
  let refreshToken = first.refresh;
  const seen = { refreshes: 0, bodies: [] as string[], authorizations: [] as (string | null)[] };
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    if (path === "/api/auth/token/refresh/") {
      seen.refreshes += 1;
      const { refresh } = (await request.json()) as { refresh: string };
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (refresh !== refreshToken) return Response.json({ detail: "Token is blacklisted" }, { status: 401 });
      valid = jwt(`access-${seen.refreshes}`, 900);
      refreshToken = `refresh-${seen.refreshes}`;
      return Response.json({ access: valid, refresh: refreshToken });
    }
    // An answer that arrives late, after whatever the other requests set off meanwhile.
    if (path.startsWith("/api/slow/")) await new Promise((resolve) => setTimeout(resolve, 100));
    seen.authorizations.push(request.headers.get("authorization"));
    seen.bodies.push(await request.text());
    if (request.headers.get("authorization") !== `Bearer ${valid}`)
      return Response.json({ detail: "Given token not valid for any token type" }, { status: 401 });
    return Response.json({ ok: true });
  };
  return { fetch, seen, expire: () => (valid = "expired-elsewhere") };
}

describe("client session", () => {
  it("refreshes once for many requests that met an expired token, and retries each with the new one", async () => {
    const start = { access: jwt("a0", 900), refresh: "r0" };
    const api = scriptedApi(start);
    const store = memoryStore();
    store.save(start);
    const session = createSession({ baseUrl: "https://shop.test", store, fetch: api.fetch, refreshBefore: 0 });
    api.expire();
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        session.fetch(`https://shop.test/api/x/${i}/`, { method: "POST", body: `{"n":${i}}` }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(api.seen.refreshes).toBe(1);
    // Every retry carried its own body again.
    expect(api.seen.bodies.filter((b) => b === '{"n":3}')).toHaveLength(2);
    expect(store.load()!.refresh).toBe("refresh-1");
  });

  it("refreshes before sending when the token is about to expire", async () => {
    const start = { access: jwt("a0", 10), refresh: "r0" };
    const api = scriptedApi(start);
    const store = memoryStore();
    store.save(start);
    const session = createSession({ baseUrl: "https://shop.test", store, fetch: api.fetch });
    expect((await session.fetch("https://shop.test/api/auth/profile/")).status).toBe(200);
    expect(api.seen.refreshes).toBe(1);
    expect(api.seen.authorizations).toEqual([`Bearer ${store.load()!.access}`]);
  });

  it("ends the session when the refresh is refused: tokens gone, listeners told, ApiError 401", async () => {
    const api = scriptedApi({ access: jwt("a0", 900), refresh: "r0" });
    const store = memoryStore();
    store.save({ access: jwt("stale", 900), refresh: "stolen-and-rotated" });
    const session = createSession({ baseUrl: "https://shop.test", store, fetch: api.fetch, refreshBefore: 0 });
    let ended = 0;
    session.onEnd(() => (ended += 1));
    const error = await session.fetch("https://shop.test/api/auth/profile/").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect([ended, store.load(), session.signedIn()]).toEqual([1, null, false]);
  });

  it("keeps the session when the refresh fails for another reason than a refused token (429, 503)", async () => {
    const start = { access: jwt("a0", 900), refresh: "r0" };
    const api = scriptedApi(start);
    const store = memoryStore();
    store.save(start);
    let down = true;
    const fetch = (input: RequestInfo | URL, init?: RequestInit) =>
      down && new URL(new Request(input, init).url).pathname === "/api/auth/token/refresh/"
        ? Promise.resolve(Response.json({ detail: "Service unavailable." }, { status: 503 }))
        : api.fetch(input, init);
    const session = createSession({ baseUrl: "https://shop.test", store, fetch, refreshBefore: 0 });
    let ended = 0;
    session.onEnd(() => (ended += 1));
    api.expire();
    const error = await session.fetch("https://shop.test/api/auth/profile/").catch((e: unknown) => e);
    expect([(error as ApiError).status, (error as ApiError).message]).toEqual([503, "Service unavailable."]);
    expect([ended, store.load()]).toEqual([0, start]);
    // Once the API is back, the same refresh token still works.
    down = false;
    expect((await session.fetch("https://shop.test/api/auth/profile/")).status).toBe(200);
    expect(store.load()!.refresh).toBe("refresh-1");
  });

  it("lets a 401 that arrives after another request ended the session through as the API's answer", async () => {
    const api = scriptedApi({ access: jwt("a0", 900), refresh: "r0" });
    const store = memoryStore();
    store.save({ access: jwt("stale", 900), refresh: "stolen-and-rotated" });
    const session = createSession({ baseUrl: "https://shop.test", store, fetch: api.fetch, refreshBefore: 0 });
    const [fast, slow] = await Promise.allSettled([
      session.fetch("https://shop.test/api/auth/profile/"),
      session.fetch("https://shop.test/api/slow/"),
    ]);
    expect((fast as PromiseRejectedResult).reason).toMatchObject({ name: "ApiError", status: 401 });
    expect((slow as PromiseFulfilledResult<Response>).value.status).toBe(401);
    expect([api.seen.refreshes, store.load()]).toEqual([1, null]);
  });

  it("sends no Authorization when signed out", async () => {
    const api = scriptedApi({ access: jwt("a0", 900), refresh: "r0" });
    const session = createSession({ baseUrl: "https://shop.test", fetch: api.fetch });
    await session.fetch("https://shop.test/api/products/");
    expect(api.seen.authorizations).toEqual([null]);
  });

  it("reads the API's error shape into the message and the field errors", () => {
    const fields = new ApiError(400, { price: ["Ensure this value is greater than 0."] });
    expect([fields.message, fields.fields]).toEqual([
      "price: Ensure this value is greater than 0.",
      { price: ["Ensure this value is greater than 0."] },
    ]);
    expect(new ApiError(404, { detail: "Not found." }).message).toBe("Not found.");
    expect(new ApiError(0, null).message).toMatch(/could not be reached/);
  });
});
