// Regressions for the defects a hostile review found (#15), one describe per class. Each test
// failed before its fix: the commits are listed in the README's reliability section.
import { describe, expect, inject, it } from "vitest";
import type { Bindings } from "../../src/config";
import { ACCESS_REVOKED } from "../../src/realtime/events";
import { at, ID, read } from "../harness/client";
import { makeCategory, makeProduct, makeUser, register, settle, shop, signUp, unique } from "../harness/fixtures";
import { useWorker, type WorkerHarness } from "./support";

const hasRedis = !!inject("stack").redis;

const w = useWorker();

let n = 0;
const fromIp = (ip: string, env?: Partial<Bindings>) => w.client({ env, headers: { "cf-connecting-ip": ip } }).api;
const testIp = () => `198.18.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
const login = (ip: string, body: { username: string; password: string }, env?: Partial<Bindings>) =>
  fromIp(ip, env).auth.login.$post({ json: body });

async function registered(username: string, password = "right-pass-1", ip = testIp()) {
  const res = await register(w, signUp(username, password, "x.io"), { "cf-connecting-ip": ip });
  expect(res.status).toBe(201);
  return res.body;
}

const statuses = (responses: { status: number }[]) => {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
};

describe.runIf(hasRedis)("rate limits decide before the work, atomically", () => {
  it("a burst of 40 logins for one username (39 wrong, the right one among them) gets at most the limit's answers", async () => {
    const u = unique("burst");
    await registered(u);
    const ip = testIp();
    const limits = { LOGIN_LIMIT_PER_USERNAME: "5" };
    const bodies = Array.from({ length: 40 }, (_, i) => ({
      username: u,
      password: i === 20 ? "right-pass-1" : `wrong-${i}`,
    }));
    const answers = await Promise.all(bodies.map((b) => login(ip, b, limits)));
    const counts = statuses(answers);
    // Every attempt past the fifth is refused before its password is hashed.
    expect((counts[401] ?? 0) + (counts[200] ?? 0)).toBeLessThanOrEqual(5);
    expect((counts[429] ?? 0) + (counts[503] ?? 0)).toBeGreaterThanOrEqual(35);
    expect(Object.keys(counts).every((s) => ["200", "401", "429", "503"].includes(s))).toBe(true);
  });

  it("a burst of registrations from one address creates no more accounts than the limit", async () => {
    const ip = testIp();
    const before = Number((await w.query<{ n: string }>("select count(*) as n from users"))[0]!.n);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => {
        const u = unique("reg");
        return fromIp(ip, { REGISTER_LIMIT_PER_IP: "8" }).auth.register.$post({
          json: { username: u, email: `${u}@x.io`, password: "reg-pass-12", password2: "reg-pass-12" },
        });
      }),
    );
    const counts = statuses(answers);
    const after = Number((await w.query<{ n: string }>("select count(*) as n from users"))[0]!.n);
    expect(counts[201] ?? 0).toBeLessThanOrEqual(8);
    expect(after - before).toBe(counts[201] ?? 0);
    expect(Object.keys(counts).every((s) => ["201", "429", "503"].includes(s))).toBe(true);
  });

  it("a locked username still lets its owner in from an address it logged in from before", async () => {
    const u = unique("soft");
    await registered(u);
    const home = testIp();
    expect((await login(home, { username: u, password: "right-pass-1" })).status).toBe(200);
    const limits = { LOGIN_LIMIT_PER_USERNAME: "2" };
    const attacker = testIp();
    for (let i = 0; i < 2; i++) {
      expect((await login(attacker, { username: u, password: "wrong" }, limits)).status).toBe(401);
    }
    expect((await login(attacker, { username: u, password: "right-pass-1" }, limits)).status).toBe(429);
    expect((await login(home, { username: u, password: "right-pass-1" }, limits)).status).toBe(200);
  });
});

describe.runIf(hasRedis)("one case folding for limits and lookups", () => {
  it("the Turkish dotted capital I does not reach an account through a fresh bucket", async () => {
    const u = `rtvictim${++n}`;
    await registered(u);
    const limits = { LOGIN_LIMIT_PER_USERNAME: "2" };
    const ip = testIp();
    for (let i = 0; i < 2; i++) {
      expect((await login(ip, { username: u, password: "wrong" }, limits)).status).toBe(401);
    }
    expect((await login(ip, { username: u.toUpperCase(), password: "right-pass-1" }, limits)).status).toBe(429);
    // Postgres (C.UTF-8) folds İ to i; JavaScript to i + U+0307: it is another name, and no account.
    const dotted = u.replace("i", "İ");
    expect((await login(ip, { username: dotted, password: "right-pass-1" }, limits)).status).toBe(401);
  });
});

describe("sockets end with the rights they were opened with", () => {
  const changeStatus = (staffToken: string, orderId: number, status: "shipped") =>
    w.as(staffToken).orders[ID].update_status.$patch({ ...at(orderId), json: { status } });

  it("a staff feed socket is closed, not served, once its user is demoted", async () => {
    const sh = shop(w);
    const staff = await makeUser(w, { staff: true });
    const feed = await w.connect(`/ws/admin/orders/?token=${staff.token}`);
    expect((await feed.next()).type).toBe("connection_established");
    await w.query("update users set is_staff = false where id = $1", [staff.id]);
    const buyer = await makeUser(w);
    await sh.order(buyer);
    expect(await feed.closed).toBe(ACCESS_REVOKED);
    expect(feed.messages.filter((m) => m?.type === "order_created")).toEqual([]);
  });

  it("a customer's socket is closed once the customer is deactivated", async () => {
    const sh = shop(w);
    const staff = await makeUser(w, { staff: true });
    const buyer = await makeUser(w);
    const order = await sh.order(buyer);
    const socket = await w.connect(`/ws/orders/notifications/?token=${buyer.token}`);
    await socket.next();
    await w.query("update users set is_active = false where id = $1", [buyer.id]);
    expect((await changeStatus(staff.token, order.id, "shipped")).status).toBe(200);
    expect(await socket.closed).toBe(ACCESS_REVOKED);
    expect(socket.messages.filter((m) => m?.type === "order_update")).toEqual([]);
  });

  it("logout closes the session's sockets before it answers, and ends its access token", async () => {
    const u = unique("leaver");
    const { tokens } = await registered(u);
    const socket = await w.connect(`/ws/orders/notifications/?token=${tokens.access}`);
    await socket.next();
    const out = await w.as(tokens.access).auth.logout.$post({ json: { refresh: tokens.refresh } });
    expect(out.status).toBe(200);
    // Closed by the time logout answered: no waiting.
    expect(await Promise.race([socket.closed, settle(0).then(() => "open")])).toBe(ACCESS_REVOKED);
    expect((await w.as(tokens.access).auth.profile.$get()).status).toBe(401);
  });

  it("a reused refresh token (theft) ends the session's sockets too", async () => {
    const u = unique("stolen");
    const { tokens } = await registered(u);
    const socket = await w.connect(`/ws/orders/notifications/?token=${tokens.access}`);
    await socket.next();
    expect((await w.api.auth.token.refresh.$post({ json: { refresh: tokens.refresh } })).status).toBe(200);
    expect((await w.api.auth.token.refresh.$post({ json: { refresh: tokens.refresh } })).status).toBe(401);
    expect(await socket.closed).toBe(ACCESS_REVOKED);
  });

  it("other sessions of the same user keep their sockets after one logs out", async () => {
    const u = unique("twice");
    const first = await registered(u);
    const second = (await read(login(testIp(), { username: u, password: "right-pass-1" }))).body.tokens;
    const a = await w.connect(`/ws/orders/notifications/?token=${first.tokens.access}`);
    const b = await w.connect(`/ws/orders/notifications/?token=${second.access}`);
    await Promise.all([a.next(), b.next()]);
    await w.as(first.tokens.access).auth.logout.$post({ json: { refresh: first.tokens.refresh } });
    expect(await a.closed).toBe(ACCESS_REVOKED);
    await settle();
    expect(b.ws!.readyState).toBe(WebSocket.OPEN);
    b.ws!.close();
  });
});

describe("replay and cache stay inside their database", () => {
  const other = useWorker();

  it("a user who gets a reused id in another database hears none of the first user's events", async () => {
    // Both databases hand out the same id to their next user.
    const [{ id }] = (await w.query<{ id: number }>("select nextval('users_id_seq')::int as id")) as [{ id: number }];
    await other.query("select setval('users_id_seq', $1)", [id]);
    await w.query("select setval('users_id_seq', $1)", [id]);
    const first = await makeUser(w);
    const reused = await makeUser(other);
    expect(reused.id).toBe(first.id);
    await shop(w).order(first);
    await settle();
    const socket = await other.connect(`/ws/orders/notifications/?token=${reused.token}&since=0`);
    expect((await socket.next()).type).toBe("connection_established");
    await settle();
    expect(socket.messages).toHaveLength(1);
    socket.ws!.close();
  });

  it.runIf(hasRedis)(
    "two databases on one Redis (same REDIS_PREFIX) never serve each other's cached products",
    async () => {
      const shared = { REDIS_PREFIX: `shared-${crypto.randomUUID().slice(0, 8)}:` };
      const make = async (h: WorkerHarness, name: string) => {
        await h.query("select setval('products_id_seq', 424242, false)");
        return makeProduct(h, { name, price: "9.99", stock: 3, category: await makeCategory(h, `Shared ${name}`) });
      };
      const [a, b] = [await make(w, "Alpha"), await make(other, "Beta")];
      expect(a).toBe(b);
      const look = async (h: WorkerHarness) => {
        const res = await read(h.client({ env: shared }).api.products[ID].$get(at(a)));
        return { cache: res.headers.get("x-cache"), name: res.body.name };
      };
      // A key's first read in an isolate stores nothing; the second stores.
      expect((await look(w)).name).toBe("Alpha");
      expect((await look(w)).name).toBe("Alpha");
      await settle();
      expect(await look(w)).toEqual({ cache: "HIT", name: "Alpha" });
      expect(await look(other)).toEqual({ cache: "MISS", name: "Beta" });
    },
  );
});
