// Regressions for the defects a hostile review found (#15), one describe per class. Each test
// failed before its fix: the commits are listed in the README's reliability section.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ACCESS_REVOKED } from "../../src/realtime/events";
import { bearer, makeCategory, makeProduct, makeUser } from "./catalog-support";
import { shop } from "./orders-support";
import { connect, settle } from "./realtime-support";
import { json, setupWorker, type WorkerHarness } from "./support";

const hasRedis = !!inject("stack").redis;

let w: WorkerHarness;
beforeAll(async () => {
  w = await setupWorker();
});
afterAll(() => w.drop());

let n = 0;
const unique = (prefix: string) => `${prefix}${++n}_${crypto.randomUUID().slice(0, 6)}`;
const fromIp = (ip: string, body: unknown) => json(body, { headers: { "cf-connecting-ip": ip } });
const testIp = () => `198.18.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

async function register(username: string, password = "right-pass-1", ip = testIp()) {
  const res = await w.request(
    "/api/auth/register/",
    fromIp(ip, { username, email: `${username}@x.io`, password, password2: password }),
  );
  expect(res.status).toBe(201);
  return (await res.json()) as { user: { id: number }; tokens: { access: string; refresh: string } };
}

const statuses = (responses: Response[]) => {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
};

describe.runIf(hasRedis)("rate limits decide before the work, atomically", () => {
  it("a burst of 40 logins for one username (39 wrong, the right one among them) gets at most the limit's answers", async () => {
    const u = unique("burst");
    await register(u);
    const ip = testIp();
    const limits = { LOGIN_LIMIT_PER_USERNAME: "5" };
    const bodies = Array.from({ length: 40 }, (_, i) => ({
      username: u,
      password: i === 20 ? "right-pass-1" : `wrong-${i}`,
    }));
    const answers = await Promise.all(bodies.map((b) => w.request("/api/auth/login/", fromIp(ip, b), limits)));
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
        return w.request(
          "/api/auth/register/",
          fromIp(ip, { username: u, email: `${u}@x.io`, password: "reg-pass-12", password2: "reg-pass-12" }),
          { REGISTER_LIMIT_PER_IP: "8" },
        );
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
    await register(u);
    const home = testIp();
    expect((await w.request("/api/auth/login/", fromIp(home, { username: u, password: "right-pass-1" }))).status).toBe(
      200,
    );
    const limits = { LOGIN_LIMIT_PER_USERNAME: "2" };
    const attacker = testIp();
    for (let i = 0; i < 2; i++) {
      expect(
        (await w.request("/api/auth/login/", fromIp(attacker, { username: u, password: "wrong" }), limits)).status,
      ).toBe(401);
    }
    expect(
      (await w.request("/api/auth/login/", fromIp(attacker, { username: u, password: "right-pass-1" }), limits)).status,
    ).toBe(429);
    expect(
      (await w.request("/api/auth/login/", fromIp(home, { username: u, password: "right-pass-1" }), limits)).status,
    ).toBe(200);
  });
});

describe.runIf(hasRedis)("one case folding for limits and lookups", () => {
  it("the Turkish dotted capital I does not reach an account through a fresh bucket", async () => {
    const u = `rtvictim${++n}`;
    await register(u);
    const limits = { LOGIN_LIMIT_PER_USERNAME: "2" };
    const ip = testIp();
    for (let i = 0; i < 2; i++) {
      expect((await w.request("/api/auth/login/", fromIp(ip, { username: u, password: "wrong" }), limits)).status).toBe(
        401,
      );
    }
    expect(
      (await w.request("/api/auth/login/", fromIp(ip, { username: u.toUpperCase(), password: "right-pass-1" }), limits))
        .status,
    ).toBe(429);
    // Postgres (C.UTF-8) folds İ to i; JavaScript to i + U+0307: it is another name, and no account.
    const dotted = u.replace("i", "İ");
    expect(
      (await w.request("/api/auth/login/", fromIp(ip, { username: dotted, password: "right-pass-1" }), limits)).status,
    ).toBe(401);
  });
});

describe("sockets end with the rights they were opened with", () => {
  const changeStatus = (staffToken: string, orderId: number, status: string) =>
    w.request(
      `/api/orders/${orderId}/update_status/`,
      json({ status }, { method: "PATCH", headers: bearer(staffToken) }),
    );

  it("a staff feed socket is closed, not served, once its user is demoted", async () => {
    const sh = shop(w);
    const staff = await makeUser(w, true);
    const feed = await connect(w, `/ws/admin/orders/?token=${staff.token}`);
    expect((await feed.next()).type).toBe("connection_established");
    await w.query("update users set is_staff = false where id = $1", [staff.id]);
    const buyer = await makeUser(w, false);
    await sh.order(buyer);
    expect(await feed.closed).toBe(ACCESS_REVOKED);
    expect(feed.messages.filter((m) => m?.type === "order_created")).toEqual([]);
  });

  it("a customer's socket is closed once the customer is deactivated", async () => {
    const sh = shop(w);
    const staff = await makeUser(w, true);
    const buyer = await makeUser(w, false);
    const order = await sh.order(buyer);
    const socket = await connect(w, `/ws/orders/notifications/?token=${buyer.token}`);
    await socket.next();
    await w.query("update users set is_active = false where id = $1", [buyer.id]);
    expect((await changeStatus(staff.token, order.id, "shipped")).status).toBe(200);
    expect(await socket.closed).toBe(ACCESS_REVOKED);
    expect(socket.messages.filter((m) => m?.type === "order_update")).toEqual([]);
  });

  it("logout closes the session's sockets before it answers, and ends its access token", async () => {
    const u = unique("leaver");
    const { tokens } = await register(u);
    const socket = await connect(w, `/ws/orders/notifications/?token=${tokens.access}`);
    await socket.next();
    const out = await w.request(
      "/api/auth/logout/",
      json({ refresh: tokens.refresh }, { headers: bearer(tokens.access) }),
    );
    expect(out.status).toBe(200);
    // Closed by the time logout answered: no waiting.
    expect(await Promise.race([socket.closed, settle(0).then(() => "open")])).toBe(ACCESS_REVOKED);
    expect((await w.request("/api/auth/profile/", { headers: bearer(tokens.access) })).status).toBe(401);
  });

  it("a reused refresh token (theft) ends the session's sockets too", async () => {
    const u = unique("stolen");
    const { tokens } = await register(u);
    const socket = await connect(w, `/ws/orders/notifications/?token=${tokens.access}`);
    await socket.next();
    expect((await w.request("/api/auth/token/refresh/", json({ refresh: tokens.refresh }))).status).toBe(200);
    expect((await w.request("/api/auth/token/refresh/", json({ refresh: tokens.refresh }))).status).toBe(401);
    expect(await socket.closed).toBe(ACCESS_REVOKED);
  });

  it("other sessions of the same user keep their sockets after one logs out", async () => {
    const u = unique("twice");
    const first = await register(u);
    const login = await w.request("/api/auth/login/", fromIp(testIp(), { username: u, password: "right-pass-1" }));
    const second = ((await login.json()) as { tokens: { access: string } }).tokens;
    const a = await connect(w, `/ws/orders/notifications/?token=${first.tokens.access}`);
    const b = await connect(w, `/ws/orders/notifications/?token=${second.access}`);
    await Promise.all([a.next(), b.next()]);
    await w.request(
      "/api/auth/logout/",
      json({ refresh: first.tokens.refresh }, { headers: bearer(first.tokens.access) }),
    );
    expect(await a.closed).toBe(ACCESS_REVOKED);
    await settle();
    expect(b.ws!.readyState).toBe(WebSocket.OPEN);
    b.ws!.close();
  });
});

describe("replay and cache stay inside their database", () => {
  let other: WorkerHarness;
  beforeAll(async () => {
    other = await setupWorker();
  });
  afterAll(() => other.drop());

  it("a user who gets a reused id in another database hears none of the first user's events", async () => {
    // Both databases hand out the same id to their next user.
    const [{ id }] = (await w.query<{ id: number }>("select nextval('users_id_seq')::int as id")) as [{ id: number }];
    await other.query("select setval('users_id_seq', $1)", [id]);
    await w.query("select setval('users_id_seq', $1)", [id]);
    const first = await makeUser(w, false);
    const reused = await makeUser(other, false);
    expect(reused.id).toBe(first.id);
    await shop(w).order(first);
    await settle();
    const socket = await connect(other, `/ws/orders/notifications/?token=${reused.token}&since=0`);
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
      const read = async (h: WorkerHarness) => {
        const res = await h.request(`/api/products/${a}/`, undefined, shared);
        return { cache: res.headers.get("x-cache"), name: ((await res.json()) as { name: string }).name };
      };
      expect((await read(w)).name).toBe("Alpha");
      await settle();
      expect(await read(w)).toEqual({ cache: "HIT", name: "Alpha" });
      expect(await read(other)).toEqual({ cache: "MISS", name: "Beta" });
    },
  );
});
