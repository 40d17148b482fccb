// Forged and misused tokens against every kind of protected entry point: a customer route, a
// staff route, the token refresh and both WebSockets. Each must be the contract's 401. (auth.test.ts
// covers alg none, a foreign secret, a tampered payload and refresh/access swaps on the profile;
// this adds the rest and runs every attack against every entry point.)
import { base64url, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import { signToken } from "../../src/lib/tokens";
import { type Client, read } from "../harness/client";
import { makeUser, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const INVALID = { detail: "Given token not valid for any token type", code: "token_not_valid" };

const w = useWorker();
let staff: User;
const attacks: [string, string][] = [];

const now = () => Math.floor(Date.now() / 1000);
const encoder = new TextEncoder();

/** An HMAC signature over `header.payload` with the real secret, whatever the header claims. */
async function hmacSigned(header: object, payload: object, secret: string, hash = "SHA-256") {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash }, false, ["sign"]);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(input)));
  return `${input}.${base64url.encode(signature)}`;
}

beforeAll(async () => {
  const config = readConfig(w.env);
  staff = await makeUser(w, { staff: true });
  const victim = staff.id;
  const claims = (extra: object = {}) => ({
    token_type: "access",
    user_id: victim,
    sub: String(victim),
    jti: crypto.randomUUID(),
    iat: now(),
    exp: now() + 600,
    ...extra,
  });
  const hs256 = (payload: object) => hmacSigned({ alg: "HS256", typ: "JWT" }, payload, config.JWT_SECRET);
  const { privateKey } = await generateKeyPair("RS256");
  const gone = await makeUser(w, { staff: true });
  const goneRefresh = await signToken(config, "refresh", {
    userId: gone.id,
    jti: crypto.randomUUID(),
    family: crypto.randomUUID(),
  });
  await w.query("delete from users where id = $1", [gone.id]);

  attacks.push(
    ["alg none", new UnsecuredJWT(claims()).encode()],
    ["alg none, signature kept", `${new UnsecuredJWT(claims()).encode()}${(await hs256(claims())).split(".")[2]}`],
    [
      "HS512 with the real secret",
      await hmacSigned({ alg: "HS512", typ: "JWT" }, claims(), config.JWT_SECRET, "SHA-512"),
    ],
    [
      "HS384 with the real secret",
      await hmacSigned({ alg: "HS384", typ: "JWT" }, claims(), config.JWT_SECRET, "SHA-384"),
    ],
    ["RS256 header, HMAC signature", await hmacSigned({ alg: "RS256", typ: "JWT" }, claims(), config.JWT_SECRET)],
    [
      "RS256 signed by an attacker's key",
      await new SignJWT(claims()).setProtectedHeader({ alg: "RS256" }).sign(privateKey),
    ],
    [
      "unknown critical header",
      await hmacSigned({ alg: "HS256", crit: ["exp2"], exp2: 1 }, claims(), config.JWT_SECRET),
    ],
    ["expired", await hs256(claims({ iat: now() - 3600, exp: now() - 1 }))],
    ["not yet valid (nbf in the future)", await hs256(claims({ nbf: now() + 3600 }))],
    [
      "refresh token used as access",
      await signToken(config, "refresh", { userId: victim, jti: crypto.randomUUID(), family: crypto.randomUUID() }),
    ],
    ["no token_type", await hs256(claims({ token_type: undefined }))],
    ["sub of no one (0)", await hs256(claims({ sub: "0" }))],
    ["sub not a number", await hs256(claims({ sub: "1 OR 1=1" }))],
    ["sub in another notation (hex)", await hs256(claims({ sub: `0x${victim.toString(16)}` }))],
    ["sub beyond int4", await hs256(claims({ sub: "99999999999" }))],
    ["deleted user", gone.token],
    [
      "another secret",
      await new SignJWT(claims())
        .setProtectedHeader({ alg: "HS256" })
        .sign(encoder.encode("another-secret-another-secret-another-secret")),
    ],
    [
      "tampered payload (sub changed)",
      `${(await hs256(claims())).split(".")[0]}.${base64url.encode(JSON.stringify(claims({ sub: "1" })))}.${(await hs256(claims())).split(".")[2]}`,
    ],
    ["truncated signature", (await hs256(claims())).slice(0, -4)],
    ["two tokens joined", `${await hs256(claims())}.${await hs256(claims())}`],
  );
  attacks.push(["deleted user's refresh token as access", goneRefresh]);
});
const ROUTES: [string, (api: Client["api"]) => Promise<{ status: number; headers: Headers }>][] = [
  ["GET /api/auth/profile/", (api) => api.auth.profile.$get()],
  ["GET /api/orders/cart/", (api) => api.orders.cart.$get()],
  [
    "POST /api/orders/",
    (api) => api.orders.$post({ json: { shipping_address: "12 Long Street, Town", phone_number: "+1555" } }),
  ],
  ["POST /api/products/categories/", (api) => api.products.categories.$post({ json: { name: "Forged" } })],
  ["GET /api/admin/me/", (api) => api.admin.me.$get()],
];

describe("forged and misused tokens", () => {
  it("every attack gets the contract's 401 on customer and staff routes, and changes nothing", async () => {
    const wrong: string[] = [];
    for (const [name, token] of attacks) {
      for (const [route, call] of ROUTES) {
        const res = await read(call(w.as(token)));
        if (res.status !== 401 || JSON.stringify(res.body) !== JSON.stringify(INVALID))
          wrong.push(`${name}: ${route} → ${res.status} ${res.text}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await w.query("select 1 from categories where name = 'Forged'")).toEqual([]);
    expect(await w.query("select 1 from carts")).toEqual([]);
  });

  it("every attack is refused on both WebSockets before an upgrade, by query and by subprotocol", async () => {
    const wrong: string[] = [];
    for (const [name, token] of attacks) {
      for (const path of ["/ws/orders/notifications/", "/ws/admin/orders/"]) {
        const byQuery = await w.request(`${path}?token=${encodeURIComponent(token)}`, {
          headers: { upgrade: "websocket" },
        });
        const byProtocol = await w.request(path, {
          headers: { upgrade: "websocket", "sec-websocket-protocol": `bearer, ${token}` },
        });
        for (const [how, res] of [
          ["query", byQuery],
          ["subprotocol", byProtocol],
        ] as const) {
          if (res.status !== 401 || res.webSocket) wrong.push(`${name} via ${how} on ${path} → ${res.status}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("refuses access tokens, forged refresh tokens and a deleted user's refresh token on token/refresh", async () => {
    const config = readConfig(w.env);
    const gone = await makeUser(w);
    const refresh = await signToken(config, "refresh", {
      userId: gone.id,
      jti: crypto.randomUUID(),
      family: crypto.randomUUID(),
    });
    await w.query("insert into token_families (id, user_id, current_jti) values ($1, $2, $3)", [
      crypto.randomUUID(),
      gone.id,
      crypto.randomUUID(),
    ]);
    await w.query("delete from users where id = $1", [gone.id]);
    const forged = await hmacSigned(
      { alg: "HS512" },
      {
        token_type: "refresh",
        sub: String(staff.id),
        jti: crypto.randomUUID(),
        fam: crypto.randomUUID(),
        exp: now() + 600,
      },
      config.JWT_SECRET,
      "SHA-512",
    );
    for (const token of [staff.token, refresh, forged, ...attacks.map(([, t]) => t)]) {
      const res = await read(w.api.auth.token.refresh.$post({ json: { refresh: token } }));
      expect(res.status).toBe(401);
      expect(res.body).toEqual(INVALID);
    }
  });

  it("still accepts the genuine token on the same routes (the attacks are refused for what they are)", async () => {
    for (const call of [() => w.as(staff).auth.profile.$get(), () => w.as(staff).admin.me.$get()]) {
      expect((await call()).status).toBe(200);
    }
  });
});
