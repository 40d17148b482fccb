// Abuse limits: login and registration rate limits (429 with Retry-After), request bodies over the
// limit (413, streamed ones too, nothing written), and the WebSocket limits (sockets per user,
// client message size). auth.test.ts has the per-username login limit; this adds the rest.
import { describe, expect, inject, it } from "vitest";
import type { Bindings } from "../../src/config";
import { MAX_CLIENT_MESSAGE } from "../../src/realtime/events";
import { bearer, readAs } from "../harness/client";
import { makeUser, settle, signUp, unique } from "../harness/fixtures";
import { useWorker } from "./support";

const hasRedis = !!inject("stack").redis;
const THROTTLED = /^Request was throttled\. Expected available in \d+ seconds\.$/;

const w = useWorker();

const name = () => unique("abuser");
const auth = (env: Partial<Bindings>, ip?: string) =>
  w.client({ env, headers: ip ? { "cf-connecting-ip": ip } : {} }).api.auth;
const users = async () => Number((await w.query<{ n: string }>("select count(*) as n from users"))[0]!.n);

async function expectThrottled(answer: Promise<{ status: number; headers: Headers; text(): Promise<string> }>) {
  const res = await readAs<{ detail: string }>(answer);
  expect(res.status).toBe(429);
  const wait = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(wait) && wait > 0).toBe(true);
  const body = res.body;
  expect(body.detail).toMatch(THROTTLED);
  expect(body.detail).toContain(` ${wait} seconds`);
}

describe.runIf(hasRedis)("rate limits", () => {
  it("limits failed logins per client IP across usernames, and leaves other IPs alone", async () => {
    const limits = { LOGIN_LIMIT_PER_IP: "3" };
    const ip = `198.51.100.${1 + (Date.now() % 200)}`;
    for (let i = 0; i < 3; i++) {
      expect((await auth(limits, ip).login.$post({ json: { username: name(), password: "wrong-pass" } })).status).toBe(
        401,
      );
    }
    await expectThrottled(auth(limits, ip).login.$post({ json: { username: name(), password: "wrong-pass" } }));
    expect(
      (await auth(limits, "203.0.113.9").login.$post({ json: { username: name(), password: "wrong-pass" } })).status,
    ).toBe(401);
  });

  it("counts a username's failures whatever its letter case, and then refuses even the right password", async () => {
    const u = name();
    await w.api.auth.register.$post({ json: signUp(u, "right-pass-1", "x.io") });
    const limits = { LOGIN_LIMIT_PER_USERNAME: "2" };
    for (const spelled of [u.toUpperCase(), u]) {
      expect((await auth(limits).login.$post({ json: { username: spelled, password: "wrong-pass" } })).status).toBe(
        401,
      );
    }
    await expectThrottled(auth(limits).login.$post({ json: { username: u, password: "right-pass-1" } }));
  });

  it("limits registrations per client IP; a throttled registration creates nobody", async () => {
    const limits = { REGISTER_LIMIT_PER_IP: "2" };
    const ip = `192.0.2.${1 + (Date.now() % 200)}`;
    const register = (who: string, from = ip) =>
      auth(limits, from).register.$post({ json: signUp(who, "reg-pass-12", "x.io") });
    expect((await register(name())).status).toBe(201);
    expect((await register(name())).status).toBe(201);
    const before = await users();
    await expectThrottled(register(name()));
    expect(await users()).toBe(before);
    expect((await register(name(), "192.0.2.250")).status).toBe(201);
  });
});

describe("request bodies over the limit", () => {
  const big = (bytes: number) => JSON.stringify({ username: "x", password: "x".repeat(bytes) });

  it("answers 413 JSON on every kind of write, before authentication, and writes nothing", async () => {
    const staff = await makeUser(w, { staff: true });
    const before = await users();
    for (const [method, path] of [
      ["POST", "/api/auth/register/"],
      ["POST", "/api/auth/login/"],
      ["POST", "/api/products/"],
      ["PATCH", "/api/auth/profile/"],
      ["POST", "/api/orders/cart/add_item/"],
      ["POST", "/api/orders/"],
    ]) {
      for (const credentials of [{}, bearer(staff)] as Record<string, string>[]) {
        const res = await w.request(path!, {
          method,
          headers: { "content-type": "application/json", ...credentials },
          body: big(70 * 1024),
        });
        expect([res.status, await res.json()], `${method} ${path}`).toEqual([
          413,
          { detail: "Request body too large." },
        ]);
      }
    }
    expect(await users()).toBe(before);
  });

  it("counts a streamed body with no Content-Length too", async () => {
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await w.request("/api/auth/login/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect([res.status, await res.json()]).toEqual([413, { detail: "Request body too large." }]);
  });

  it("takes a body just under the limit as an ordinary request", async () => {
    const res = await w.request("/api/auth/login/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: big(60 * 1024),
    });
    expect(res.status).toBe(400);
  });
});

describe("WebSocket limits", () => {
  it("refuses sockets past the per-user cap with 429, counts per user, and frees a slot when one closes", async () => {
    const cap = { WS_MAX_SOCKETS: "3" };
    const [u, other] = [await makeUser(w), await makeUser(w)];
    const open = [];
    for (let i = 0; i < 3; i++) {
      const c = await w.connect(`/ws/orders/notifications/?token=${u.token}`, {}, cap);
      expect(c.res.status).toBe(101);
      open.push(c);
    }
    const refused = await w.connect(`/ws/orders/notifications/?token=${u.token}`, {}, cap);
    expect([refused.res.status, await refused.res.json()]).toEqual([
      429,
      { detail: "Too many connections for this user." },
    ]);
    const someoneElse = await w.connect(`/ws/orders/notifications/?token=${other.token}`, {}, cap);
    expect(someoneElse.res.status).toBe(101);
    open[0]!.ws!.close(1000);
    await settle(300);
    const again = await w.connect(`/ws/orders/notifications/?token=${u.token}`, {}, cap);
    expect(again.res.status).toBe(101);
    for (const c of [...open.slice(1), someoneElse, again]) c.ws!.close();
  });

  it("closes a socket that sends more than the message limit with 1009, text (counted in bytes) or binary", async () => {
    const u = await makeUser(w);
    const tooBig: (string | ArrayBuffer)[] = [
      "x".repeat(MAX_CLIENT_MESSAGE + 1),
      // Under the limit in UTF-16 units, over it in bytes: each "é" is two bytes on the wire.
      "é".repeat(MAX_CLIENT_MESSAGE / 2 + 1),
      new Uint8Array(MAX_CLIENT_MESSAGE + 1).buffer,
    ];
    const codes = [];
    for (const message of tooBig) {
      const c = await w.connect(`/ws/orders/notifications/?token=${u.token}`);
      await c.next();
      c.ws!.send(message);
      codes.push(await Promise.race([c.closed, settle(3000).then(() => "still open")]));
      c.ws!.close();
    }
    expect(codes).toEqual([1009, 1009, 1009]);
    const fine = await w.connect(`/ws/orders/notifications/?token=${u.token}`);
    await fine.next();
    fine.ws!.send("x".repeat(MAX_CLIENT_MESSAGE));
    expect((await fine.next()).type).toBe("error");
    fine.ws!.send("ping");
    expect(await fine.next()).toBe("pong");
    fine.ws!.close();
  });
});
