import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { json, setupWorker, type WorkerHarness } from "./support";

let w: WorkerHarness;
beforeAll(async () => {
  w = await setupWorker();
});
afterAll(() => w.drop());

let n = 0;
const fresh = () => `user${++n}_${Math.random().toString(36).slice(2, 7)}`;
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function register(overrides: Record<string, unknown> = {}) {
  const username = fresh();
  const body = {
    username,
    email: `${username}@example.com`,
    password: "s3cure-pass",
    password2: "s3cure-pass",
    ...overrides,
  };
  const res = await w.request("/api/auth/register/", json(body));
  return { res, body: (await res.json()) as any };
}

describe("register", () => {
  it("creates the user and returns the seed's message and a token pair", async () => {
    const { res, body } = await register({ first_name: "Ada", last_name: "Lovelace", is_staff: true });
    expect(res.status).toBe(201);
    expect(body).toMatchObject({
      message: "User registered succesfully!",
      user: { id: expect.any(Number), first_name: "Ada", last_name: "Lovelace" },
      tokens: { access: expect.any(String), refresh: expect.any(String) },
    });
    const [row] = await w.query<{ is_staff: boolean; password_hash: string }>(
      "select is_staff, password_hash from users where id = $1",
      [body.user.id],
    );
    expect(row!.is_staff).toBe(false);
    expect(row!.password_hash).toMatch(/^pbkdf2_sha256\$100000\$/);
  });

  it("refuses duplicates case-insensitively, field by field", async () => {
    const { body } = await register();
    const again = await w.request(
      "/api/auth/register/",
      json({
        username: body.user.username.toUpperCase(),
        email: "other@example.com",
        password: "s3cure-pass",
        password2: "s3cure-pass",
      }),
    );
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ username: ["A user with that username already exists."] });
    const email = await w.request(
      "/api/auth/register/",
      json({
        username: fresh(),
        email: body.user.email.toUpperCase(),
        password: "s3cure-pass",
        password2: "s3cure-pass",
      }),
    );
    expect(await email.json()).toEqual({ email: ["A user with that email already exists."] });
  });

  it.each([
    [{ password2: "different1" }, { password: ["Password fields didn't match."] }],
    [
      { password: "short", password2: "short" },
      { password: ["This password is too short. It must contain at least 8 characters."] },
    ],
    [{ password: "1234567890", password2: "1234567890" }, { password: ["This password is entirely numeric."] }],
    [{ email: "not-an-email" }, { email: ["Enter a valid email address."] }],
    [{ email: undefined }, { email: ["This field is required."] }],
    [{ username: 12345 }, { username: ["Not a valid string."] }],
  ])("answers 400 in DRF's shape for %j", async (overrides, expected) => {
    const { res, body } = await register(overrides);
    expect(res.status).toBe(400);
    expect(body).toEqual(expected);
  });

  it("refuses a password equal to the username", async () => {
    const username = fresh();
    const res = await w.request(
      "/api/auth/register/",
      json({ username, email: `${username}@x.io`, password: username, password2: username }),
    );
    expect(await res.json()).toEqual({ password: ["The password is too similar to the username."] });
  });

  it("answers malformed JSON and non-objects with 400", async () => {
    const bad = await w.request("/api/auth/register/", json("{not json"));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ detail: expect.stringContaining("JSON parse error") });
    const list = await w.request("/api/auth/register/", json([1, 2]));
    expect(list.status).toBe(400);
    expect(await list.json()).toEqual({ non_field_errors: ["Invalid data. Expected a dictionary, but got list."] });
  });
});

describe("login", () => {
  it("returns tokens for the right password, case-insensitive username", async () => {
    const { body } = await register();
    const res = await w.request(
      "/api/auth/login/",
      json({ username: body.user.username.toUpperCase(), password: "s3cure-pass" }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      message: "Login successful!",
      user: { id: body.user.id },
      tokens: { access: expect.any(String) },
    });
  });

  it("answers the same 401 for a wrong password and an unknown user", async () => {
    const { body } = await register();
    const wrong = await w.request("/api/auth/login/", json({ username: body.user.username, password: "nope-nope" }));
    const unknown = await w.request("/api/auth/login/", json({ username: "nobody-at-all", password: "nope-nope" }));
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const detail = { detail: "No active account found with the given credentials" };
    expect(await wrong.json()).toEqual(detail);
    expect(await unknown.json()).toEqual(detail);
  });

  it("refuses a deactivated user, and that user's existing access token", async () => {
    const { body } = await register();
    await w.query("update users set is_active = false where id = $1", [body.user.id]);
    const res = await w.request("/api/auth/login/", json({ username: body.user.username, password: "s3cure-pass" }));
    expect(res.status).toBe(401);
    const profile = await w.request("/api/auth/profile/", bearer(body.tokens.access));
    expect(profile.status).toBe(401);
    expect(await profile.json()).toEqual({
      detail: "Given token not valid for any token type",
      code: "token_not_valid",
    });
  });

  it.runIf(!!inject("stack").redis)(
    "throttles failed logins per username with Retry-After; successes do not count",
    async () => {
      const { body } = await register();
      const limits = { LOGIN_LIMIT_PER_USERNAME: "2" };
      // The owner logs in from home; the guesses come from elsewhere. (An address that logged in to
      // the account before passes its per-username lock: hostile-review.test.ts.)
      const attempt = (password: string, ip = "203.0.113.66") =>
        w.request(
          "/api/auth/login/",
          json({ username: body.user.username, password }, { headers: { "cf-connecting-ip": ip } }),
          limits,
        );
      expect((await attempt("s3cure-pass", "192.0.2.10")).status).toBe(200);
      expect((await attempt("wrong-one")).status).toBe(401);
      expect((await attempt("wrong-two")).status).toBe(401);
      const blocked = await attempt("s3cure-pass");
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await blocked.json()) as any).detail).toMatch(
        /^Request was throttled\. Expected available in \d+ seconds\.$/,
      );
    },
  );

  it("still logs in with Redis down (rate limits fail open)", async () => {
    const { body } = await register();
    const res = await w.request("/api/auth/login/", json({ username: body.user.username, password: "s3cure-pass" }), {
      UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1",
      UPSTASH_REDIS_REST_TOKEN: "x",
    });
    expect(res.status).toBe(200);
  });
});

describe("tokens", () => {
  it("rotates refresh tokens and revokes the family when a retired one comes back", async () => {
    const { body } = await register();
    const first = await w.request("/api/auth/token/refresh/", json({ refresh: body.tokens.refresh }));
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as { access: string; refresh: string };
    expect(rotated.refresh).not.toBe(body.tokens.refresh);
    const replay = await w.request("/api/auth/token/refresh/", json({ refresh: body.tokens.refresh }));
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({
      detail: "Given token not valid for any token type",
      code: "token_not_valid",
    });
    // The thief's replay killed the whole family, including the legitimate newest token.
    const next = await w.request("/api/auth/token/refresh/", json({ refresh: rotated.refresh }));
    expect(next.status).toBe(401);
  });

  it("lets exactly one of two simultaneous refreshes win", async () => {
    const { body } = await register();
    const results = await Promise.all(
      [1, 2].map(() => w.request("/api/auth/token/refresh/", json({ refresh: body.tokens.refresh }))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it("never takes an access token as a refresh token, nor the reverse", async () => {
    const { body } = await register();
    expect((await w.request("/api/auth/token/refresh/", json({ refresh: body.tokens.access }))).status).toBe(401);
    expect((await w.request("/api/auth/profile/", bearer(body.tokens.refresh))).status).toBe(401);
  });

  it("refuses alg none, a foreign secret and a tampered payload; accepts the previous secret", async () => {
    const { body } = await register();
    const claims = { token_type: "access", user_id: body.user.id, jti: "x" };
    const none = new UnsecuredJWT(claims).setSubject(String(body.user.id)).setExpirationTime("5m").encode();
    const sign = (secret: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(String(body.user.id))
        .setJti("j")
        .setExpirationTime("5m")
        .sign(new TextEncoder().encode(secret));
    const foreign = await sign("another-secret-another-secret-another-secret");
    const [h, , s] = body.tokens.access.split(".");
    const tampered = `${h}.${btoa(JSON.stringify({ ...claims, sub: "1" })).replace(/=+$/, "")}.${s}`;
    for (const token of [none, foreign, tampered, "garbage"]) {
      expect((await w.request("/api/auth/profile/", bearer(token))).status).toBe(401);
    }
    const rotatedSecret = {
      JWT_SECRET: "a-brand-new-secret-after-rotation-0123456789",
      JWT_SECRET_PREVIOUS: w.env.JWT_SECRET,
    };
    expect((await w.request("/api/auth/profile/", bearer(body.tokens.access), rotatedSecret)).status).toBe(200);
    expect(
      (await w.request("/api/auth/profile/", bearer(body.tokens.access), { JWT_SECRET: rotatedSecret.JWT_SECRET }))
        .status,
    ).toBe(401);
  });

  it("answers missing credentials with DRF's 401", async () => {
    const res = await w.request("/api/auth/profile/");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("logout revokes the refresh token's family", async () => {
    const { body } = await register();
    const res = await w.request(
      "/api/auth/logout/",
      json({ refresh: body.tokens.refresh }, bearer(body.tokens.access)),
    );
    expect(res.status).toBe(200);
    expect((await w.request("/api/auth/token/refresh/", json({ refresh: body.tokens.refresh }))).status).toBe(401);
  });
});

describe("profile", () => {
  it("reads and partially updates the profile; username and email stay read-only", async () => {
    const { body } = await register();
    const get = await w.request("/api/auth/profile/", bearer(body.tokens.access));
    expect(await get.json()).toEqual({
      ...body.user,
      phone_number: "",
      address: "",
      city: "",
      postal_code: "",
      country: "",
    });
    for (const method of ["PATCH", "PUT"]) {
      const res = await w.request(
        "/api/auth/profile/",
        json(
          { city: `Paris-${method}`, username: "hacker", email: "h@x.io", unknown: 1 },
          { method, ...bearer(body.tokens.access) },
        ),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        message: "Profile updated successfully",
        profile: { ...body.user, phone_number: "", address: "", city: `Paris-${method}`, postal_code: "", country: "" },
      });
    }
    const bad = await w.request(
      "/api/auth/profile/",
      json({ phone_number: "9".repeat(30) }, { method: "PATCH", ...bearer(body.tokens.access) }),
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ phone_number: ["Ensure this field has no more than 20 characters."] });
  });
});
