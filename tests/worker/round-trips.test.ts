// Round trips per route, counted at the wire by the local Neon and Upstash endpoints (#14): at the
// edge each one costs the distance to the database's region, so a new trip must not creep back
// in. `answered`: Postgres trips before the answer; `after`: the ones its waitUntil work makes
// (marking outbox events delivered, replacing an imported password hash); `redis`: Upstash requests, the background store of a cache
// miss and the refund of a login attempt included.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, json } from "../harness/client";
import { makeCategory, makeProduct } from "../harness/fixtures";
import { setupWorker, type WorkerHarness } from "./support";

const hasRedis = !!inject("stack").redis;

let w: WorkerHarness;
let customer: { id: number; access: string };
let staff: { id: number; access: string };
let category: number;
let product: number;

async function account(username: string, isStaff = false) {
  const body = { username, email: `${username}@x.io`, password: "round-trip-1", password2: "round-trip-1" };
  const made = (await (await w.request("/api/auth/register/", json(body))).json()) as { user: { id: number } };
  if (isStaff) await w.query("update users set is_staff = true where id = $1", [made.user.id]);
  const login = await w.request("/api/auth/login/", json({ username, password: "round-trip-1" }));
  return { id: made.user.id, access: ((await login.json()) as { tokens: { access: string } }).tokens.access };
}

beforeAll(async () => {
  w = await setupWorker();
  customer = await account(`rt_customer_${Date.now().toString(36)}`);
  staff = await account(`rt_staff_${Date.now().toString(36)}`, true);
  category = await makeCategory(w, `Round trips ${Date.now()}`);
  product = await makeProduct(w, { name: "Round trip mug", price: "4.50", stock: 1000, category });
});
afterAll(() => w.drop());

const as = (who: { access: string }, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...bearer(who.access), ...(init.headers as Record<string, string> | undefined) },
});

async function expectTrips(
  path: string,
  init: RequestInit | undefined,
  want: { answered: number; after?: number; redis?: number },
  prefix?: string,
) {
  const got = await w.trips(path, init, prefix);
  expect(got.res.status, `${init?.method ?? "GET"} ${path}`).toBeLessThan(300);
  expect(
    { answered: got.answered, after: got.after, ...(hasRedis ? { redis: got.redis } : {}) },
    `${init?.method ?? "GET"} ${path}`,
  ).toEqual({
    answered: want.answered,
    after: want.after ?? 0,
    ...(hasRedis ? { redis: want.redis ?? 0 } : {}),
  });
  return got.res;
}

describe("one Postgres round trip per request, no trip for authentication", () => {
  it("reads: profile, cart, orders, one order, the socket upgrade's check", async () => {
    await expectTrips("/api/auth/profile/", as(customer), { answered: 1 });
    await expectTrips("/api/orders/cart/", as(customer), { answered: 1 });
    await expectTrips("/api/orders/", as(customer), { answered: 1 });
    await expectTrips("/api/admin/orders/", as(staff), { answered: 1 });
    await expectTrips("/api/products/low_stock/", as(staff), { answered: 1 });
    // The dashboard: the time zone set and every figure read in the same batch.
    await expectTrips("/api/admin/stats/?tz=Europe/Berlin&bucket=hour&from=2026-12-01", as(staff), { answered: 1 });
    await expectTrips("/api/admin/carts/", as(staff), { answered: 1 });
    await expectTrips("/api/admin/products/archived/", as(staff), { answered: 1 });
    const socket = await expectTrips(
      `/ws/orders/notifications/?token=${customer.access}`,
      { headers: { upgrade: "websocket" } },
      { answered: 1 },
    );
    socket.webSocket?.accept();
    socket.webSocket?.close();
  });

  it("cart writes: add, update, remove, clear", async () => {
    const added = await expectTrips(
      "/api/orders/cart/add_item/",
      as(customer, json({ product_id: product, quantity: 2 })),
      { answered: 1 },
    );
    const line = ((await added.json()) as { cart: { cart_items: { id: number }[] } }).cart.cart_items[0]!.id;
    await expectTrips(
      "/api/orders/cart/update_item/",
      as(customer, json({ item_id: line, quantity: 3 }, { method: "PUT" })),
      { answered: 1 },
    );
    await expectTrips(`/api/orders/cart/remove_item/?item_id=${line}`, as(customer, { method: "DELETE" }), {
      answered: 1,
    });
    await expectTrips("/api/orders/cart/clear/", as(customer, { method: "DELETE" }), { answered: 1 });
  });

  it("an order: placed in one trip and one Redis trip (the catalog's versions), its status moved and cancelled likewise", async () => {
    await w.request("/api/orders/cart/add_item/", as(customer, json({ product_id: product, quantity: 1 })));
    const placed = await expectTrips(
      "/api/orders/",
      as(customer, json({ shipping_address: "1 Round Trip Road", phone_number: "+15550101" })),
      { answered: 1, after: 1, redis: 1 },
    );
    const order = ((await placed.json()) as { order: { id: number } }).order.id;
    await expectTrips(`/api/orders/${order}/`, as(customer), { answered: 1 });
    await expectTrips(
      `/api/orders/${order}/update_status/`,
      as(staff, json({ status: "processing" }, { method: "PATCH" })),
      {
        answered: 1,
        after: 1,
      },
    );
    // Cancelling restocks: the catalog's versions move too.
    await expectTrips(`/api/orders/${order}/cancel/`, as(staff, json({})), { answered: 1, after: 1, redis: 1 });
  });

  it("staff catalog writes: one trip and one Redis trip to invalidate", async () => {
    const made = await expectTrips(
      "/api/products/",
      as(staff, json({ name: "Round trip plate", price: "3.00", stock: 5, category })),
      { answered: 1, redis: 1 },
    );
    const id = ((await made.json()) as { id: number }).id;
    await expectTrips(`/api/products/${id}/`, as(staff, json({ stock: 6 }, { method: "PATCH" })), {
      answered: 1,
      redis: 1,
    });
    await expectTrips(`/api/products/${id}/`, as(staff, { method: "DELETE" }), { answered: 1, redis: 1 });
    // Not in any order, so deleted: archive another by hand to restore it.
    await w.query("update products set is_archived = true where id = $1", [product]);
    await expectTrips(`/api/admin/products/${product}/restore/`, as(staff, { method: "POST" }), {
      answered: 1,
      redis: 1,
    });
  });

  it("webhook endpoints: every route one trip (the URL an address, so no lookup)", async () => {
    const hook = { url: "https://93.184.216.34/hook", events: ["order.created"], is_active: false };
    const made = await expectTrips("/api/admin/webhooks/", as(staff, json(hook)), { answered: 1 });
    const id = ((await made.json()) as { id: number }).id;
    await expectTrips("/api/admin/webhooks/", as(staff), { answered: 1 });
    await expectTrips(`/api/admin/webhooks/${id}/`, as(staff), { answered: 1 });
    await expectTrips(`/api/admin/webhooks/${id}/`, as(staff, json({ description: "ERP" }, { method: "PATCH" })), {
      answered: 1,
    });
    await expectTrips(`/api/admin/webhooks/${id}/rotate-secret/`, as(staff, json({})), { answered: 1 });
    await expectTrips(`/api/admin/webhooks/${id}/deliveries/?status=failed`, as(staff), { answered: 1 });
    await expectTrips(`/api/admin/webhooks/${id}/`, as(staff, { method: "DELETE" }), { answered: 1 });
  });

  it("an order with an endpoint subscribed: the deliveries are claimed in the trip after the answer", async () => {
    const hook = { url: "https://93.184.216.34/hook", events: ["order.created"] };
    const made = await w.request("/api/admin/webhooks/", as(staff, json(hook)));
    const id = ((await made.json()) as { id: number }).id;
    await w.request("/api/orders/cart/add_item/", as(customer, json({ product_id: product, quantity: 1 })));
    await expectTrips(
      "/api/orders/",
      as(customer, json({ shipping_address: "1 Round Trip Road", phone_number: "+15550101" })),
      { answered: 1, after: 1, redis: 1 },
    );
    const rows = await w.query<{ enqueued: boolean }>(
      "select enqueued_at is not null as enqueued from webhook_deliveries where endpoint_id = $1",
      [id],
    );
    expect(rows).toEqual([{ enqueued: true }]);
    // Its message goes nowhere: with the endpoint gone the consumer finds nothing to send.
    await w.request(`/api/admin/webhooks/${id}/`, as(staff, { method: "DELETE" }));
  });
});

describe.runIf(hasRedis)("catalog reads", () => {
  it("cached: one Redis trip, no Postgres; a first read asks both at once and stores nothing", async () => {
    const prefix = `rt-${crypto.randomUUID()}`;
    for (const path of ["/api/products/?ordering=price", `/api/products/${product}/`]) {
      // The key's first read here: the MGET and Postgres at once, nothing stored.
      await expectTrips(path, undefined, { answered: 1, redis: 1 }, prefix);
      // A miss: the versions and entry in one MGET, Postgres once, the entry stored after the answer.
      await expectTrips(path, undefined, { answered: 1, redis: 2 }, prefix);
      await expectTrips(path, undefined, { answered: 0, redis: 1 }, prefix);
    }
  });

  it("a search (full-text or its fuzzy fallback) and the facets: one trip, the category check included", async () => {
    for (const path of [
      "/api/products/?search=mug",
      "/api/products/?search=mgu&ordering=price",
      `/api/products/?search=mug&category=${category}`,
      "/api/products/facets/",
      `/api/products/facets/?search=mug&category=${category}&in_stock=true`,
    ]) {
      // A fresh Redis prefix: the key's first read, Redis and Postgres at once.
      await expectTrips(path, undefined, { answered: 1, redis: 1 });
    }
  });

  it("an unknown category filter still answers its 400 in one trip", async () => {
    const got = await w.trips("/api/products/?category=999999");
    expect(got.res.status).toBe(400);
    expect(got.answered).toBe(1);
  });
});

describe.runIf(hasRedis)("accounts", () => {
  it("register: one Postgres trip (the account and its session), one Redis trip (the limit)", async () => {
    const name = `rt_new_${Date.now().toString(36)}`;
    const body = { username: name, email: `${name}@x.io`, password: "round-trip-1", password2: "round-trip-1" };
    await expectTrips("/api/auth/register/", json(body), { answered: 1, redis: 1 });
  });

  it("login: the lookup and the new session, one Redis trip for the limits and one after for the refund", async () => {
    const name = `rt_login_${Date.now().toString(36)}`;
    await w.request(
      "/api/auth/register/",
      json({ username: name, email: `${name}@x.io`, password: "round-trip-1", password2: "round-trip-1" }),
    );
    await expectTrips("/api/auth/login/", json({ username: name, password: "round-trip-1" }), {
      answered: 2,
      redis: 2,
    });
  });

  it("login with an imported Django hash: the same trips before the answer, the hash replaced after it", async () => {
    const name = `rt_django_${Date.now().toString(36)}`;
    const made = await w.request(
      "/api/auth/register/",
      json({ username: name, email: `${name}@x.io`, password: "round-trip-1", password2: "round-trip-1" }),
    );
    const id = ((await made.json()) as { user: { id: number } }).user.id;
    // "imported-pass-1" as Django 1.11 hashed it (36,000 iterations), made with Node's crypto.pbkdf2Sync.
    const imported = "pbkdf2_sha256$36000$Vb7Kd1YwXq3Lp9$3VwSRsotPIkzPZto/AqOVAX8nJcWU2vAWGV+puKkfu0=";
    await w.query("update users set password_hash = $2 where id = $1", [id, imported]);
    await expectTrips("/api/auth/login/", json({ username: name, password: "imported-pass-1" }), {
      answered: 2,
      after: 1,
      redis: 2,
    });
  });
});
