// The original Django shop's database for the import tests: its schema as its own migrations make
// it (tests/fixtures/django-schema.sql, a pg_dump), on a database of the test's own, and
// `npm run import:django` run as the child process an owner would run.
import { execFile } from "node:child_process";
import { pbkdf2 } from "node:crypto";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import pg from "pg";
import { createTestDatabase, type TestStack } from "./stack.ts";

const schemaSql = readFileSync(new URL("../fixtures/django-schema.sql", import.meta.url), "utf8")
  // psql's own commands (\restrict), which only psql reads.
  .replace(/^\\.*$/gm, "");

export interface DjangoDatabase {
  url: string;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

/** A database holding only the Django shop's schema, empty. */
export async function createDjangoDatabase(stack: TestStack): Promise<DjangoDatabase> {
  const database = await createTestDatabase(stack);
  const setup = new pg.Client({ connectionString: database.url });
  await setup.connect();
  try {
    await setup.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    await setup.query(schemaSql);
  } finally {
    await setup.end();
  }
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  return {
    url: database.url,
    query: async (text, params) => (await pool.query(text, params)).rows,
    drop: async () => {
      await pool.end();
      await database.drop();
    },
  };
}

/** A password as Django's PBKDF2PasswordHasher stores it, computed by Node's crypto.pbkdf2. */
export async function djangoHash(password: string, iterations: number, salt = "q7Xr2LmZp9TbVw4N"): Promise<string> {
  const key = await promisify(pbkdf2)(password, salt, iterations, 32, "sha256");
  return `pbkdf2_sha256$${iterations}$${salt}$${key.toString("base64")}`;
}

export interface ImportRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run import:django -- <args>` into `databaseUrl`, as its own process. */
export async function runImport(args: string[], env: Record<string, string>): Promise<ImportRun> {
  // Only the test's own database and Redis: nothing inherited from the shell that started the tests.
  const { DATABASE_URL: _d, REDIS_URL: _r, REDIS_PREFIX: _p, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["scripts/import-django.ts", ...args], {
      env: { ...inherited, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const RELATIONS_SQL = `
  SELECT c.relname AS name, CASE c.relkind WHEN 'S' THEN 'seq' ELSE 'table' END AS kind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S') ORDER BY c.relname`;

/** What every table (an md5 over its rows) and sequence of a database holds: any write changes it. */
export async function snapshot(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; kind: string }>(RELATIONS_SQL);
    const out: Record<string, string> = {};
    for (const { name, kind } of rows) {
      const sql =
        kind === "seq"
          ? `SELECT last_value || ':' || is_called AS v FROM "${name}"`
          : `SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') AS v FROM "${name}" t`;
      out[name] = (await client.query<{ v: string }>(sql)).rows[0]!.v;
    }
    return out;
  } finally {
    await client.end();
  }
}

/** The passwords the shop's users chose, and how the original stored each. */
export const PEOPLE = {
  alice: { id: 3, password: "alice-wonder-1", iterations: 1_000_000 },
  Bob: { id: 5, password: "bob-builder-22", iterations: 600_000 },
  carol: { id: 8, password: "carol-singer-3", iterations: 260_000 },
  staffer: { id: 55, password: "staff-member-9", iterations: 1_000_000 },
} as const;

/**
 * A small shop with every quirk the README of the original's data names: each hash generation,
 * an unusable password and algorithms we do not check, a deactivated user, a user without a
 * profile and one with NULLs in it, ids with gaps, totals a cent off, and a deleted product whose
 * order items (and cart line) went with it.
 */
export async function fillShop(db: DjangoDatabase): Promise<void> {
  const hashes = Object.fromEntries(
    await Promise.all(
      Object.entries(PEOPLE).map(async ([name, p]) => [name, await djangoHash(p.password, p.iterations)]),
    ),
  );
  const users: [number, string, string, string, boolean, boolean, boolean][] = [
    // id, username, email, password, is_staff, is_superuser, is_active
    [3, "alice", "alice@example.com", hashes.alice!, false, false, true],
    [5, "Bob", "Bob@Example.com", hashes.Bob!, false, false, true],
    [8, "carol", "carol@example.com", hashes.carol!, false, false, true],
    [13, "dave", "dave@example.com", "!kR2bX9vQmT4sLw8nZc1dF6gH3jP0yA5eU7iO2oB", false, false, true],
    [
      21,
      "erin",
      "erin@example.com",
      "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$Q0hBTkdFTUVDSEFOR0VNRQ",
      false,
      false,
      true,
    ],
    // MD5PasswordHasher of "password" with salt "salt", from an old import.
    [34, "frank", "frank@example.com", "md5$salt$67a1e09bb1f83f5007dc119c14d663aa", false, false, true],
    [55, "staffer", "staff@example.com", hashes.staffer!, true, true, true],
    [89, "gina", "gina@example.com", await djangoHash("gina-gone-4", 260_000), false, false, false],
  ];
  for (const [id, username, email, password, staff, superuser, active] of users) {
    await db.query(
      `INSERT INTO auth_user (id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
       VALUES ($1, $2, NULL, $6, $3::text, initcap($3::text), 'Original', $4, $5, $7,
               ('2023-03-0' || (1 + $1::int % 9) || ' 10:00:00.123456+00')::timestamptz)`,
      [id, password, username, email, staff, superuser, active],
    );
  }
  await db.query(`INSERT INTO users_userprofile (id, phone_number, address, city, postal_code, country, created_at, updated_at, user_id) VALUES
    (1, '+44 7700 900123', '1 Rabbit Hole', 'Wonderland', 'WL1 1AA', 'United Kingdom', now(), now(), 3),
    (2, NULL, NULL, NULL, NULL, NULL, now(), now(), 5)`);
  await db.query(`INSERT INTO products_category (id, name, description, created_at) VALUES
    (2, 'Books', 'Paper', '2023-01-01 09:00:00+00'), (7, 'Games', '', '2023-01-02 09:00:00+00')`);
  await db.query(`INSERT INTO products_product (id, name, description, price, stock, created_at, updated_at, category_id) VALUES
    (10, 'Unchained, a novel', 'A book', 19.99, 5, '2023-02-01 09:00:00+00', '2023-02-01 09:00:00+00', 2),
    (11, 'Chess set', 'Wooden', 34.50, 10, '2023-02-02 09:00:00+00', '2023-02-02 09:00:00+00', 7),
    (12, 'Dice', 'Six sides', 0.10, 100, '2023-02-03 09:00:00+00', '2023-02-03 09:00:00+00', 7),
    (13, 'Desk lamp', 'Soon deleted', 15.00, 3, '2023-02-04 09:00:00+00', '2023-02-04 09:00:00+00', 2)`);
  await db.query(`INSERT INTO orders_cart (id, created_at, updated_at, user_id) VALUES
    (4, '2023-05-01 12:00:00+00', '2023-05-02 12:00:00+00', 3), (7, '2023-05-03 12:00:00+00', '2023-05-03 12:00:00+00', 5)`);
  await db.query(`INSERT INTO orders_cartitem (id, quantity, added_at, cart_id, product_id) VALUES
    (6, 2, '2023-05-01 12:00:00+00', 4, 10), (9, 1, '2023-05-02 12:00:00+00', 4, 11), (12, 1, '2023-05-03 12:00:00+00', 7, 13)`);
  await db.query(`INSERT INTO orders_order (id, status, total_price, shipping_address, phone_number, created_at, updated_at, user_id) VALUES
    (100, 'delivered', 20.29, '1 Rabbit Hole, Wonderland', '+442079460000', '2023-04-01 10:00:00+00', '2023-04-05 10:00:00+00', 3),
    (101, 'shipped', 49.50, '1 Rabbit Hole, Wonderland', '+442079460000', '2023-04-10 10:00:00+00', '2023-04-11 10:00:00+00', 3),
    (150, 'pending', 0.31, '22 Building Site, Bobton', '555-0100', '2023-04-12 10:00:00+00', '2023-04-12 10:00:00+00', 5),
    (151, 'delivered', 15.00, '3 Choir Lane, Carolville', '555-0101', '2023-04-13 10:00:00+00', '2023-04-20 10:00:00+00', 8),
    (160, 'pending', 69.00, 'Staff room, Head Office', '555-0102', '2023-04-14 10:00:00+00', '2023-04-14 10:00:00+00', 55)`);
  await db.query(`INSERT INTO orders_orderitem (id, quantity, price, order_id, product_id) VALUES
    (200, 1, 19.99, 100, 10), (201, 3, 0.10, 100, 12),
    (202, 1, 34.50, 101, 11), (203, 1, 15.00, 101, 13),
    (204, 3, 0.10, 150, 12),
    (206, 1, 15.00, 151, 13),
    (205, 2, 34.50, 160, 11)`);
  // The original deleted the lamp: Django's cascade took its order items and cart line with it.
  await db.query(`BEGIN; DELETE FROM orders_orderitem WHERE product_id = 13; DELETE FROM orders_cartitem WHERE product_id = 13;
    DELETE FROM products_product WHERE id = 13; COMMIT`);
}
