// `npm run import:django` as an owner runs it, against the Django shop's own schema on the real
// Postgres: what it refuses (and that a refusal or a failure writes nothing), a second run, a
// source that changed since, and a large shop's progress. Logging in over HTTP afterwards:
// tests/e2e/import-django.test.ts.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDjangoDatabase, type DjangoDatabase, fillShop, runImport, snapshot } from "../support/django.ts";
import { createTestDatabase } from "../support/stack.ts";

const stack = inject("stack");
const dropped: (() => Promise<void>)[] = [];
afterAll(() => Promise.all(dropped.map((drop) => drop())));

async function ourDatabase(): Promise<string> {
  const db = await createTestDatabase(stack);
  dropped.push(db.drop);
  return db.url;
}

async function djangoShop(fill = true): Promise<DjangoDatabase> {
  const db = await createDjangoDatabase(stack);
  dropped.push(db.drop);
  if (fill) await fillShop(db);
  return db;
}

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(text).finally(() => client.end());
}

const importInto = (target: string, ...args: string[]) => runImport(args, { DATABASE_URL: target });

let shop: DjangoDatabase;
beforeAll(async () => {
  shop = await djangoShop();
});

describe("refusals: exit 2, one line, nothing written", () => {
  it("bad arguments", async () => {
    const target = await ourDatabase();
    for (const args of [[], ["--from", "mysql://x/y"], ["--from", shop.url, "--frm", "x"]]) {
      const run = await importInto(target, ...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(/^import-django: .+\nusage: npm run import:django -- --from postgres:/);
    }
  });

  it("a source it cannot reach", async () => {
    const target = await ourDatabase();
    const run = await importInto(target, "--from", "postgres://postgres@127.0.0.1:1/shop");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^import-django: could not read the source database 127\.0\.0\.1:1\/shop: .+\n$/);
  });

  it("a source that is not the Django shop's schema: ours, or an empty one", async () => {
    const target = await ourDatabase();
    const before = await snapshot(target);
    const ours = await ourDatabase();
    const run = await importInto(target, "--from", ours);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is not the Django shop's database: no table auth_user, no table users_userprofile/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    const renamed = await djangoShop(false);
    await renamed.query("ALTER TABLE orders_order RENAME COLUMN total_price TO total");
    expect((await importInto(target, "--from", renamed.url)).stderr).toMatch(/no column orders_order\.total_price/);
    expect(await snapshot(target)).toEqual(before);
  });

  it("every conflict it cannot map, listed at once", async () => {
    const bad = await djangoShop();
    await bad.query(`INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
      VALUES (90, '!', false, 'Alice', '', '', 'other@example.com', false, true, now()),
             (91, '!', false, 'ALICE', '', '', 'CAROL@example.com', false, true, now())`);
    await bad.query("INSERT INTO products_category (id, name, description, created_at) VALUES (8, 'games', '', now())");
    await bad.query("UPDATE orders_order SET status = 'refunded' WHERE id = 150");
    await bad.query("UPDATE orders_cartitem SET quantity = 0 WHERE id = 9");
    await bad.query("UPDATE products_product SET price = 0 WHERE id = 12");
    const target = await ourDatabase();
    const before = await snapshot(target);
    const run = await importInto(target, "--from", bad.url);
    expect(run.code).toBe(2);
    const [headline, ...listed] = run.stderr.trim().split("\n");
    expect(headline).toMatch(/^import-django: refused: 6 conflicts in .+ that ours cannot take; nothing written\./);
    expect(listed.map((l) => l.trim())).toEqual([
      'auth_user: usernames "alice" (id 3), "Alice" (id 90), "ALICE" (id 91) differ only in letter case, and ours treats them as one name',
      'auth_user: ids 8, 91 share the email "carol@example.com", and ours keeps emails unique',
      'products_category: names "Games" (id 7), "games" (id 8) differ only in letter case, and ours keeps names unique',
      "products_product 12: a price that is not above 0: 0.00",
      "orders_cartitem 9: a quantity below 1: 0",
      "orders_order 150: a status ours does not have (pending, processing, shipped, delivered, cancelled): refunded",
    ]);
    expect(await snapshot(target)).toEqual(before);
  });

  it("a target that already holds other data", async () => {
    const target = await ourDatabase();
    await sql(target, "INSERT INTO categories (name) VALUES ('Made here')");
    const before = await snapshot(target);
    const run = await importInto(target, "--from", shop.url);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `import-django: DATABASE_URL (${new URL(target).host}${new URL(target).pathname}) cannot take the import: it already holds other data (categories: 1). Import into a new, empty database; nothing written\n`,
    );
    expect(await snapshot(target)).toEqual(before);
  });
});

describe("safety", () => {
  it("a failure half-way leaves our database as it was, sequences included", async () => {
    const target = await ourDatabase();
    // Our database refuses order items, after users, the catalog, carts and orders went in.
    await sql(
      target,
      `CREATE FUNCTION refuse_items() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full, say'; END $$;
       CREATE TRIGGER refuse_items BEFORE INSERT ON order_items FOR EACH STATEMENT EXECUTE FUNCTION refuse_items()`,
    );
    const before = await snapshot(target);
    const run = await importInto(target, "--from", shop.url);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("import-django: failed, nothing written: disk full, say\n");
    expect(await snapshot(target)).toEqual(before);
  });

  it("a dry run writes nothing; a second run changes nothing; a changed source is refused", async () => {
    const target = await ourDatabase();
    const empty = await snapshot(target);
    const dry = await importInto(target, "--from", shop.url, "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^import-django: dry run, nothing written\. Would copy from /);
    expect(dry.stdout).toMatch(/^ {2}users +8 {3}with a profile 2, staff 1, inactive 1$/m);
    expect(await snapshot(target)).toEqual(empty);

    const first = await importInto(target, "--from", shop.url);
    expect(first.code).toBe(0);
    const imported = await snapshot(target);
    const again = await importInto(target, "--from", shop.url);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already holds this data, imported from .+; nothing to do\n$/);
    expect(await snapshot(target)).toEqual(imported);

    const changed = await djangoShop();
    await changed.query("UPDATE orders_order SET status = 'delivered' WHERE id = 101");
    const refused = await importInto(target, "--from", changed.url);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /cannot take the import: it already holds an import from .+, and that data has changed since/,
    );
    expect(await snapshot(target)).toEqual(imported);
  });
});

describe("a large shop", () => {
  it("shows its progress on stderr (a line every 5,000 rows and at the end, with a rate and the time left) and counts every row", async () => {
    const big = await djangoShop(false);
    await big.query(`
      INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
        SELECT g, 'pbkdf2_sha256$1000000$salt$' || md5(g::text), false, 'customer' || g, '', '', 'c' || g || '@example.com', false, true, now()
        FROM generate_series(1, 4000) g;
      INSERT INTO products_category (id, name, description, created_at) VALUES (1, 'All', '', now());
      INSERT INTO products_product (id, name, description, price, stock, created_at, updated_at, category_id)
        SELECT g, 'Product ' || g, '', 1 + g % 50, 10, now(), now(), 1 FROM generate_series(1, 200) g;
      INSERT INTO orders_order (id, status, total_price, shipping_address, phone_number, created_at, updated_at, user_id)
        SELECT g, 'delivered', 2 * (1 + g % 50), 'Somewhere far away', '555-0100', now(), now(), 1 + g % 4000
        FROM generate_series(1, 8000) g;
      INSERT INTO orders_orderitem (id, quantity, price, order_id, product_id)
        SELECT g, 2, 1 + g % 50, 1 + (g - 1) / 2, 1 + g % 2 FROM generate_series(1, 8000) g`);
    const target = await ourDatabase();
    const started = performance.now();
    const run = await importInto(target, "--from", big.url);
    const seconds = (performance.now() - started) / 1000;
    expect(run.code, run.stderr).toBe(0);
    const progress = run.stderr.trim().split("\n");
    expect(progress.length).toBe(4);
    for (const line of progress.slice(0, -1)) {
      expect(line).toMatch(
        /^import-django: [\d,]+ of 20,201 rows \(\d+ %\), [a-z ]+; [\d,]+ rows\/s, about \d+ s left$/,
      );
    }
    expect(progress.at(-1)).toMatch(/^import-django: 20,201 of 20,201 rows \(100 %\), [a-z ]+; [\d,]+ rows\/s$/);
    expect(run.stdout).toMatch(/^ {2}orders +8,000 {3}delivered 8,000$/m);
    expect(run.stdout).toMatch(/^ {2}order items +8,000$/m);
    console.log(`a shop of 20,201 rows imported in ${seconds.toFixed(1)} s:\n${run.stderr}`);
  }, 60_000);
});
