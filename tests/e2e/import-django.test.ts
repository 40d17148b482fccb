// #18: a Django shop moved with `npm run import:django`, then used over HTTP by its own customers
// with the passwords they always had: profiles, orders (same ids, totals, statuses), carts, a new
// order, staff at work; a second import changes nothing and a bad source writes nothing.
// The source is the original's own schema (tests/fixtures/django-schema.sql) on the real Postgres.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, ID, read, readAs } from "../harness/client";
import { ADDRESS, type Placed } from "../harness/fixtures";
import {
  createDjangoDatabase,
  type DjangoDatabase,
  fillShop,
  type ImportRun,
  PEOPLE,
  runImport,
  snapshot,
} from "../support/django";
import { useRunningWorker } from "./support";

const w = useRunningWorker();
let shop: DjangoDatabase;
let firstRun: ImportRun;
/** Wall time of each first login, the CPU-bound derivation nearly all of it (reported in the README). */
const firstLogin: Record<string, number> = {};

const importShop = (from: string, ...args: string[]) =>
  runImport(["--from", from, ...args], {
    DATABASE_URL: w.databaseUrl,
    // The Worker's own cache namespace, so the import's bump of the catalog versions reaches it.
    REDIS_PREFIX: w.redisPrefix,
    ...(w.stack.redis ? { REDIS_URL: w.stack.redis.directUrl } : {}),
  });

const login = (username: string, password: string) => read(w.api.auth.login.$post({ json: { username, password } }));

async function tokenOf(username: keyof typeof PEOPLE): Promise<string> {
  const res = await login(username, PEOPLE[username].password);
  expect(res.status, username).toBe(200);
  return res.body.tokens.access;
}

const hashOf = async (id: number) =>
  (await w.query<{ h: string }>("select password_hash h from users where id = $1", [id]))[0]!.h;

beforeAll(async () => {
  shop = await createDjangoDatabase(w.stack);
  await fillShop(shop);
  // The catalog read (and cached) while the database was still empty.
  for (let i = 0; i < 2; i++) expect((await read(w.api.products.$get({ query: {} }))).body.count).toBe(0);
  const dry = await importShop(shop.url, "--dry-run");
  expect(dry.code, dry.stderr).toBe(0);
  expect(await w.query("select id from users")).toEqual([]);
  firstRun = await importShop(shop.url);
  expect(firstRun.code, firstRun.stderr).toBe(0);
}, 120_000);
afterAll(() => shop?.drop());

describe("the import", () => {
  it("says what it copied and what the owner should know", () => {
    const out = firstRun.stdout;
    expect(out).toMatch(/^import-django: copied from .+ into DATABASE_URL \(.+\) in [\d.]+ s:$/m);
    for (const [table, n] of [
      ["users", 8],
      ["categories", 2],
      ["products", 3],
      ["carts", 2],
      ["cart items", 2],
      ["orders", 5],
      ["order items", 5],
      ["order status history", 5],
    ] as const) {
      expect(out).toMatch(new RegExp(`^ {2}${table} +${n}\\b`, "m"));
    }
    expect(out).toContain("1,000,000 iterations: 2, 600,000 iterations: 1, 260,000 iterations: 2");
    expect(out).toContain(
      "cannot log in until given a new password: unusable (Django's set_unusable_password): 1, argon2: 1, md5: 1",
    );
    expect(out).toContain("by a cent (the original summed in floats): #150");
    expect(out).toContain("above their items (items deleted with their product): #101");
    expect(out).toContain("no items left (all deleted with their products): #151");
    expect(out).toContain(
      "ids kept; new rows continue after: users 89, categories 7, products 12, carts 7, cart items 9, orders 160",
    );
  });

  it("shows the catalog at once, though the empty one was cached", async () => {
    const list = await read(w.api.products.$get({ query: { ordering: "price" } }));
    expect(list.body.results.map((p) => [p.id, p.name, p.price, p.category_name])).toEqual([
      [12, "Dice", "0.10", "Games"],
      [10, "Unchained, a novel", "19.99", "Books"],
      [11, "Chess set", "34.50", "Games"],
    ]);
    const categories = await read(w.api.products.categories.$get());
    expect(categories.body.map((c) => [c.id, c.name, c.products_count])).toEqual([
      [2, "Books", 1],
      [7, "Games", 2],
    ]);
  });
});

describe("customers log in with the passwords they had", () => {
  it("every generation of Django's hashes; a wrong password changes nothing", async () => {
    const alice = PEOPLE.alice;
    const imported = await hashOf(alice.id);
    expect(imported).toMatch(/^pbkdf2_sha256\$1000000\$/);
    expect((await login("alice", "alice-wonder-2")).status).toBe(401);
    expect(await hashOf(alice.id)).toBe(imported);
    for (const name of ["alice", "Bob", "carol"] as const) {
      const started = performance.now();
      const res = await login(name, PEOPLE[name].password);
      firstLogin[name] = performance.now() - started;
      expect(res.status, name).toBe(200);
      expect(res.body.user).toMatchObject({
        id: PEOPLE[name].id,
        username: name,
        first_name: name.replace(/^./, (c) => c.toUpperCase()),
      });
    }
    console.log(
      `first logins (wall time, the Worker's hash check nearly all of it): ${Object.entries(firstLogin)
        .map(
          ([name, ms]) => `${name} (${PEOPLE[name as keyof typeof PEOPLE].iterations} iterations) ${ms.toFixed(0)} ms`,
        )
        .join(", ")}`,
    );
  });

  it("an imported hash becomes ours after the first login, and the next login is cheap", async () => {
    // The replacement runs after the answer, in waitUntil.
    await expect.poll(() => hashOf(PEOPLE.alice.id), { timeout: 10_000 }).toMatch(/^pbkdf2_sha256\$100000\$/);
    const started = performance.now();
    expect((await login("ALICE", PEOPLE.alice.password)).status).toBe(200);
    console.log(
      `alice's second login (our hash, and her name in capitals): ${(performance.now() - started).toFixed(0)} ms`,
    );
  });

  it("unusable passwords, unchecked algorithms and deactivated users never log in", async () => {
    for (const [name, password] of [
      ["dave", "anything-at-all"],
      ["erin", "erin-password-1"],
      ["frank", "password"],
      ["gina", "gina-gone-4"],
    ]) {
      const res = await login(name!, password!);
      expect(res.status, name).toBe(401);
    }
  });
});

describe("what they see is what they had", () => {
  it("profiles: filled in, blank where Django had NULL or no profile", async () => {
    const alice = await read(w.as(await tokenOf("alice")).auth.profile.$get());
    expect(alice.body).toEqual({
      id: 3,
      username: "alice",
      email: "alice@example.com",
      first_name: "Alice",
      last_name: "Original",
      phone_number: "+44 7700 900123",
      address: "1 Rabbit Hole",
      city: "Wonderland",
      postal_code: "WL1 1AA",
      country: "United Kingdom",
    });
    for (const name of ["Bob", "carol"] as const) {
      const profile = await read(w.as(await tokenOf(name)).auth.profile.$get());
      expect(profile.body).toMatchObject({ id: PEOPLE[name].id, phone_number: "", address: "", city: "", country: "" });
    }
  });

  it("orders: same ids, totals as charged, statuses, and the items that remain", async () => {
    const alice = w.as(await tokenOf("alice"));
    const list = await read(alice.orders.$get({ query: {} }));
    expect(list.body.results.map((o) => [o.id, o.status, o.total_price, o.items_count])).toEqual([
      [101, "shipped", "49.50", 1],
      [100, "delivered", "20.29", 2],
    ]);
    const shipped = await read(alice.orders[ID].$get(at(101)));
    expect(shipped.body).toMatchObject({
      id: 101,
      user: 3,
      user_name: "alice",
      total_price: "49.50",
      shipping_address: "1 Rabbit Hole, Wonderland",
      created_at: "2023-04-10T10:00:00.000Z",
      items: [{ id: 202, product: 11, product_name: "Chess set", quantity: 1, price: "34.50", subtotal: "34.50" }],
    });
    const bob = await read(w.as(await tokenOf("Bob")).orders[ID].$get(at(150)));
    expect(bob.body).toMatchObject({ status: "pending", total_price: "0.31", items: [{ id: 204, subtotal: "0.30" }] });
    const carol = await read(w.as(await tokenOf("carol")).orders[ID].$get(at(151)));
    expect(carol.body).toMatchObject({ status: "delivered", total_price: "15.00", items: [] });
    // Someone else's order stays someone else's.
    expect((await read(alice.orders[ID].$get(at(150)))).status).toBe(404);
  });

  it("carts: same ids and lines; the deleted product's line went with it", async () => {
    const alice = await read(w.as(await tokenOf("alice")).orders.cart.$get());
    expect(alice.body).toMatchObject({ id: 4, total: "74.48", item_count: 3 });
    expect(alice.body.cart_items.map((i) => [i.id, i.product.id, i.quantity, i.subtotal])).toEqual([
      [6, 10, 2, "39.98"],
      [9, 11, 1, "34.50"],
    ]);
    const bob = await read(w.as(await tokenOf("Bob")).orders.cart.$get());
    expect(bob.body).toMatchObject({ id: 7, cart_items: [], total: "0.00" });
  });
});

describe("the shop goes on", () => {
  it("a new order and a new account continue after the highest ids", async () => {
    const alice = w.as(await tokenOf("alice"));
    const placed = await readAs<Placed>(alice.orders.$post({ json: ADDRESS }));
    expect(placed.status).toBe(201);
    expect(placed.body.order).toMatchObject({ id: 161, total_price: "74.48", status: "pending" });
    expect(placed.body.order.items.map((i) => i.id)).toEqual([206, 207]);
    expect((await read(alice.orders.cart.$get())).body.cart_items).toEqual([]);
    const made = await read(
      w.api.auth.register.$post({
        json: { username: "newcomer", email: "new@example.com", password: "fresh-start-1", password2: "fresh-start-1" },
      }),
    );
    expect(made.status).toBe(201);
    expect(made.body.user.id).toBe(90);
  });

  it("staff move an imported order on, its history starting at the import", async () => {
    const staff = w.as(await tokenOf("staffer"));
    const moved = await read(staff.orders[ID].update_status.$patch({ ...at(150), json: { status: "shipped" } }));
    expect(moved.status).toBe(200);
    const detail = await read(staff.admin.orders[ID].$get(at(150)));
    expect(detail.body.history.map((h) => [h.from_status, h.to_status, h.changed_by_name])).toEqual([
      [null, "pending", null],
      ["pending", "shipped", "staffer"],
    ]);
    expect(detail.body.history[0]!.changed_at).toBe("2023-04-12T10:00:00.000Z");
  });
});

describe("running it again", () => {
  it("with the same source changes nothing; with a bad source writes nothing", async () => {
    const before = await snapshot(w.databaseUrl);
    const again = await importShop(shop.url);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already holds this data, imported from .+; nothing to do/);
    expect(await snapshot(w.databaseUrl)).toEqual(before);

    const bad = await createDjangoDatabase(w.stack);
    try {
      await fillShop(bad);
      await bad.query("UPDATE auth_user SET username = 'ALICE' WHERE id = 5");
      const refused = await importShop(bad.url);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('usernames "alice" (id 3), "ALICE" (id 5) differ only in letter case');
    } finally {
      await bad.drop();
    }
    expect(await snapshot(w.databaseUrl)).toEqual(before);
  });
});
