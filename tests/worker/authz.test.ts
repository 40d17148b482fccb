// Authorization matrix: every served route (from `app.routes`) × anonymous, customer, another
// customer and staff, checked against the access the OpenAPI document says it has (each route's
// access guard declares it), so a new route is checked with the access it documents. Then the
// ways one customer could reach another's cart, orders, profile or notifications, with ids guessed
// or enumerated.
import { beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import type { OpenApiDocument } from "../../src/openapi/document";
import { deliverEvents } from "../../src/realtime/deliver";
import { at, bearer, ID, read, readAs, unchecked } from "../harness/client";
import { settle, shop, type User } from "../harness/fixtures";
import { servedRoutes } from "./fuzz-support";
import { accessOf, loadDocument, operation } from "./openapi-support";
import { useWorker } from "./support";

const NOT_PROVIDED = { detail: "Authentication credentials were not provided." };
const FORBIDDEN = { detail: "You do not have permission to perform this action." };
const NOT_FOUND = { detail: "Not found." };

const w = useWorker();
const s = shop(w);
let alice: User;
let bob: User;
let staff: User;
let doc: OpenApiDocument;
beforeAll(async () => {
  doc = await loadDocument();
  [alice, bob, staff] = [await s.user(), await s.user(), await s.user(true)];
});

const order = (who: User, id: number) => read(w.as(who).orders[ID].$get(at(id)));
const cart = (who: User) => w.as(who).orders.cart;
const profile = (who: User) => w.as(who).auth.profile;

/** A fresh order of Alice's with its product and category (one statement), so destructive calls never share rows. */
async function scene() {
  const [row] = await w.query<{ order: number; product: number; category: number }>(
    `with c as (insert into categories (name) values ('Matrix ' || gen_random_uuid()) returning id),
     p as (insert into products (name, price, stock, category_id) select 'Matrix item', 3.00, 10, id from c returning id),
     o as (insert into orders (user_id, total_price, shipping_address, phone_number) values ($1, 3.00, '1 Matrix Street, Town', '555') returning id),
     i as (insert into order_items (order_id, product_id, product_name, quantity, price) select o.id, p.id, 'Matrix item', 1, 3.00 from o, p)
     select (select id from o) as order, (select id from p) as product, (select id from c) as category`,
    [alice.id],
  );
  return { ...row!, user: alice.id };
}

/**
 * Any served route by its method and path (the matrix walks `app.routes`, so raw requests), any
 * body: the docs route answers HTML. Writes send `{}`, enough to pass auth.
 */
async function call(who: User | null, method: string, path: string) {
  const write = method !== "GET" && method !== "DELETE";
  const res = await w.request(path, {
    method,
    headers: {
      ...(who ? bearer(who) : {}),
      ...(write ? { "content-type": "application/json" } : {}),
    },
    body: write ? "{}" : undefined,
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (the docs page)
  }
  return { status: res.status, body, text };
}

const fill = (path: string, ids: Awaited<ReturnType<typeof scene>>) => {
  const id =
    path.startsWith("/api/orders") || path.startsWith("/api/admin/orders")
      ? ids.order
      : path.startsWith("/api/products/categories")
        ? ids.category
        : path.startsWith("/api/admin/customers")
          ? ids.user
          : ids.product;
  return `${path.replace(/:\w+(\{[^}]*\})?/g, String(id))}/`;
};

describe("authorization matrix", () => {
  it("documents an access rule for every served route", () => {
    const undocumented = servedRoutes().filter((r) => !operation(doc, ...(r.split(" ") as [string, string])));
    expect(undocumented).toEqual([]);
  });

  it("answers anonymous 401, customers 403 on staff routes, others' orders 404, and lets each role through where allowed", async () => {
    const wrong: string[] = [];
    const rows: string[] = [];
    for (const route of servedRoutes().filter((r) => !r.startsWith("GET /ws/"))) {
      const [method, pattern] = route.split(" ") as [string, string];
      const access = accessOf(operation(doc, method, pattern)!);
      const ids = await scene();
      const path = fill(pattern, ids);
      const ownedOrder = /^\/api\/orders\/:id/.test(pattern);
      for (const [role, who] of [
        ["anonymous", null],
        ["other customer", bob],
        ["customer", alice],
        ["staff", staff],
      ] as const) {
        const r = await call(who, method, path);
        rows.push(`${route} ${role} → ${r.status}`);
        const fail = (why: string) => wrong.push(`${route} as ${role}: ${r.status} ${r.text.slice(0, 120)} (${why})`);
        if (role === "anonymous") {
          if (
            access === "anyone"
              ? [401, 403].includes(r.status)
              : r.status !== 401 || JSON.stringify(r.body) !== JSON.stringify(NOT_PROVIDED)
          )
            fail(`expected ${access === "anyone" ? "no auth error" : "401"}`);
        } else if (access === "staff" && role !== "staff") {
          if (r.status !== 403 || JSON.stringify(r.body) !== JSON.stringify(FORBIDDEN)) fail("expected 403");
        } else if (ownedOrder && role === "other customer" && !route.includes("update_status")) {
          if (r.status !== 404 || JSON.stringify(r.body) !== JSON.stringify(NOT_FOUND))
            fail("someone else's order must not exist");
        } else if ([401, 403].includes(r.status) || r.status >= 500) fail("expected to be let through");
      }
    }
    expect(wrong).toEqual([]);
    console.log(`authz matrix: ${rows.length} requests over ${rows.length / 4} routes × 4 roles`);
  });

  it("applies the same rules to the WebSockets: 401 without a token, the staff feed 403 for customers", async () => {
    const anon = await w.connect("/ws/orders/notifications/");
    expect([anon.res.status, await anon.res.json()]).toEqual([401, NOT_PROVIDED]);
    const feed = await w.connect(`/ws/admin/orders/?token=${alice.token}`);
    expect([feed.res.status, await feed.res.json()]).toEqual([403, FORBIDDEN]);
    for (const who of [alice, staff]) {
      const mine = await w.connect(`/ws/orders/notifications/?token=${who.token}`);
      expect(mine.res.status).toBe(101);
      mine.ws!.close();
    }
    const staffFeed = await w.connect(`/ws/admin/orders/?token=${staff.token}`);
    expect(staffFeed.res.status).toBe(101);
    staffFeed.ws!.close();
  });
});

describe("one customer against another's data", () => {
  it("cannot read, cancel or enumerate another's orders", async () => {
    const theirs = await s.order(alice, "7.00", 1, 10);
    const mine = await s.order(bob, "2.00", 1, 10);
    const [{ max }] = (await w.query<{ max: number }>("select max(id) as max from orders")) as [{ max: number }];
    const seen: number[] = [];
    for (let id = 1; id <= max + 3; id++) {
      const r = await order(bob, id);
      if (r.status === 200) seen.push(r.body.id);
      else expect(r).toMatchObject({ status: 404, body: NOT_FOUND });
    }
    const own = (await w.query<{ id: number }>("select id from orders where user_id = $1 order by id", [bob.id])).map(
      (o) => o.id,
    );
    expect(seen).toEqual(own);
    expect(await read(w.as(bob).orders[ID].cancel.$post(at(theirs.id)))).toMatchObject({
      status: 404,
      body: NOT_FOUND,
    });
    expect(
      await read(w.as(bob).orders[ID].update_status.$patch({ ...at(theirs.id), json: { status: "cancelled" } })),
    ).toMatchObject({ status: 403 });
    expect((await w.query<{ status: string }>("select status from orders where id = $1", [theirs.id]))[0]!.status).toBe(
      "pending",
    );
    const list = await read(w.as(bob).orders.$get({ query: { page_size: "100" } }));
    expect(list.body.results.map((o) => o.id).sort()).toEqual(own.sort());
    expect(list.body.results.map((o) => o.id)).toContain(mine.id);
  });

  it("learns nothing from ?user=: another customer's id and an id of no one answer alike", async () => {
    const other = await read(w.as(bob).orders.$get({ query: { user: String(alice.id) } }));
    const nobody = await read(w.as(bob).orders.$get({ query: { user: "2000000000" } }));
    expect(other.status).toBe(200);
    expect(other.body.results).toEqual([]);
    expect([nobody.status, nobody.body]).toEqual([other.status, other.body]);
  });

  it("cannot change or remove lines of another's cart, by guessing or enumerating item ids", async () => {
    await s.add(alice, await s.product("1.50", 10), 2);
    const before = await s.cart(alice);
    await s.add(bob, await s.product("1.00", 10), 1);
    const [{ max }] = (await w.query<{ max: number }>("select max(id) as max from cart_items")) as [{ max: number }];
    const bobs = (await s.cart(bob)).body.cart_items.map((i) => i.id);
    for (let id = 1; id <= max + 2; id++) {
      if (bobs.includes(id)) continue;
      expect((await cart(bob).update_item.$put({ json: { item_id: id, quantity: 5 } })).status).toBe(404);
      expect((await cart(bob).remove_item.$delete({ query: { item_id: String(id) } })).status).toBe(404);
    }
    expect((await s.cart(alice)).body).toEqual(before.body);
  });

  it("cannot reach another's profile: identity fields in a body are ignored, only the caller's row changes", async () => {
    const before = (await read(profile(alice).$get())).body;
    const r = await read(
      profile(bob).$patch({
        json: unchecked({
          id: alice.id,
          user: alice.id,
          username: before.username,
          email: before.email,
          city: "Bobville",
        }),
      }),
    );
    expect(r.status).toBe(200);
    expect(r.body.profile).toMatchObject({ id: bob.id, city: "Bobville" });
    expect((await read(profile(alice).$get())).body).toEqual(before);
    // Parameters the route does not take: the raw query is the point.
    const asked = w.request(`/api/auth/profile/?user=${alice.id}&id=${alice.id}`, { headers: bearer(bob) });
    expect((await readAs<{ id: number }>(asked)).body.id).toBe(bob.id);
  });

  it("cannot pass the hub its own instructions: only what the Worker verified reaches it", async () => {
    const forged = await w.connect(`/ws/orders/notifications/?token=${bob.token}`, {
      headers: { "x-hub-since": "abc", "x-hub-bearer": "1" },
    });
    expect(forged.res.status).toBe(101);
    // No subprotocol was asked for, so none may be answered (a browser would fail the handshake).
    expect(forged.res.headers.get("sec-websocket-protocol")).toBeNull();
    forged.ws!.close();
  });

  it("never receives another's notifications, whatever headers or parameters the upgrade carries", async () => {
    const spoof = { "x-hub-audience": "staff", "x-user-id": String(alice.id), "x-hub-since": "0" };
    const b = await w.connect(`/ws/orders/notifications/?token=${bob.token}&user=${alice.id}&since=0`, {
      headers: spoof,
    });
    expect(b.res.status).toBe(101);
    await b.next();
    const placed = await s.order(alice, "4.00", 1, 10);
    await deliverEvents(w.env, readConfig(w.env));
    await settle(300);
    const leaked = b.messages.filter((m) => m?.order_id === placed.id || m?.user_id === alice.id);
    expect(leaked).toEqual([]);
    b.ws!.close();
  });
});
