// Arbitraries for fuzzing every route of the app (tests/worker/fuzz.test.ts): the route list comes
// from `app.routes`, so a new route is fuzzed the day it is added.
import fc from "fast-check";
import { SignJWT } from "jose";
import app from "../../src/app";
import { readConfig } from "../../src/config";
import { signToken } from "../../src/lib/tokens";
import { makeCategory, makeProduct, makeUser } from "../harness/fixtures";
import type { WorkerHarness } from "./support";

export interface FuzzWorld {
  /** Authorization header values: real customers and staff, and every kind of bad one. */
  auth: (string | undefined)[];
  /** Ids that exist, so requests also reach rows and not only 404s. */
  ids: number[];
}

export interface FuzzRequest {
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Every served operation as `METHOD /hono/path`, ALL-method middleware left out. */
export const servedRoutes = () => [
  ...new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`)),
];

/** Two customers with carts and orders, staff, a catalog, and tokens of every kind. */
export async function buildWorld(w: WorkerHarness): Promise<FuzzWorld> {
  const config = readConfig(w.env);
  const [a, b, staff, gone] = [
    await makeUser(w),
    await makeUser(w),
    await makeUser(w, { staff: true }),
    await makeUser(w),
  ];
  // Customers with no cart yet: a rejected cart request must not leave one behind.
  const fresh = [await makeUser(w), await makeUser(w), await makeUser(w)];
  await w.query("delete from users where id = $1", [gone.id]);
  const cats = [await makeCategory(w, "Fuzz one"), await makeCategory(w, "Fuzz two"), await makeCategory(w, "Empty")];
  const products: number[] = [];
  for (let i = 0; i < 6; i++)
    products.push(
      await makeProduct(w, { name: `Fuzz item ${i}`, price: `${i + 1}.99`, stock: 5 + i * 10, category: cats[i % 2]! }),
    );
  for (const [who, product] of [
    [a, products[0]],
    [b, products[1]],
  ] as const) {
    const [cart] = await w.query<{ id: number }>("insert into carts (user_id) values ($1) returning id", [who.id]);
    await w.query("insert into cart_items (cart_id, product_id, quantity) values ($1, $2, 1)", [cart!.id, product]);
    const [order] = await w.query<{ id: number }>(
      "insert into orders (user_id, total_price, shipping_address, phone_number) values ($1, '1.99', '1 Fuzz Street, Town', '555') returning id",
      [who.id],
    );
    await w.query(
      "insert into order_items (order_id, product_id, product_name, quantity, price) values ($1, $2, 'x', 1, '1.99')",
      [order!.id, product],
    );
  }
  const sign = (claims: Record<string, unknown>, secret = config.JWT_SECRET, alg = "HS256") =>
    new SignJWT(claims)
      .setProtectedHeader({ alg })
      .setSubject(String(a.id))
      .setJti("j")
      .sign(new TextEncoder().encode(secret));
  const refresh = await signToken(config, "refresh", {
    userId: a.id,
    jti: crypto.randomUUID(),
    family: crypto.randomUUID(),
  });
  const bad = [
    await sign({ token_type: "access", exp: Math.floor(Date.now() / 1000) - 60 }),
    await sign({ token_type: "access" }, "another-secret-another-secret-another-secret"),
    await sign({ token_type: "access" }, config.JWT_SECRET, "HS512"),
    refresh,
    gone.token,
    "garbage",
  ];
  return {
    auth: [
      undefined,
      ...[a, a, b, staff, staff, ...fresh].map((u) => `Bearer ${u.token}`),
      ...bad.map((t) => `Bearer ${t}`),
      "Basic YTpi",
      "Bearer",
      `bearer  ${a.token}`,
    ],
    ids: [a.id, b.id, staff.id, gone.id, ...cats, ...products, 1, 2, 3],
  };
}

/** A few values of every kind a careless or hostile client sends. */
const numberish = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    2,
    0.5,
    -2.5,
    1.005,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 63),
    1e21,
    1e308,
    5e-324,
  ),
);
const textish = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "1",
    "-1",
    "1.50",
    "19.999",
    "1e3",
    "0x1F",
    " 12 ",
    "١٢",
    "NaN",
    "Infinity",
    "null",
    "true",
    "pending",
    "shipped",
    "cancelled",
    "delivered",
    "processing",
  ),
  fc.constantFrom(
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "\u0000",
    "<script>",
    "🛒🛒",
    "e\u0301",
    "a".repeat(300),
    "9".repeat(30),
    "x@y.z",
    "user@example.com",
  ),
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: numberish },
  { weight: 4, arbitrary: textish },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
  { weight: 1, arbitrary: fc.array(fc.oneof(numberish, textish), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 5 }), numberish, { maxKeys: 2 }) },
);

const FIELDS = [
  "product_id",
  "quantity",
  "item_id",
  "status",
  "name",
  "description",
  "price",
  "stock",
  "category",
  "shipping_address",
  "phone_number",
  "username",
  "email",
  "password",
  "password2",
  "first_name",
  "last_name",
  "city",
  "country",
  "refresh",
];
const QUERY_KEYS = [
  "page",
  "page_size",
  "category",
  "min_price",
  "max_price",
  "in_stock",
  "search",
  "ordering",
  "threshold",
  "status",
  "user",
  "item_id",
  "token",
  "since",
  "q",
];

const idSegment = (world: FuzzWorld) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...world.ids).map(String) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "0",
        "-1",
        "2147483647",
        "2147483648",
        "99999999999999999999",
        "1e3",
        "1.5",
        "abc",
        "%20",
        "%00",
        "..",
        "é",
        "🛒",
        "",
      ),
    },
    { weight: 1, arbitrary: fc.nat().map(String) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map(encodeURIComponent) },
  );

const body = (world: FuzzWorld) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 5 }).map((o) => JSON.stringify(o)),
    },
    {
      // Close to valid, so requests get past validation into the services.
      weight: 3,
      arbitrary: fc.record({ id: fc.constantFrom(...world.ids), n: numberish, s: textish }).map(({ id, n, s }) =>
        JSON.stringify({
          product_id: id,
          item_id: id,
          quantity: n,
          status: s,
          name: s,
          price: n,
          stock: n,
          category: id,
          shipping_address: s,
          phone_number: s,
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom(
          "",
          "{",
          "[]",
          "null",
          "1",
          '"x"',
          '{"a":',
          "[".repeat(5000) + "]".repeat(5000),
          '{"quantity": 1e999}',
          "\uFEFF{}",
        ),
        fc.json(),
        fc.nat({ max: 80_000 }).map((n) => JSON.stringify({ name: "x".repeat(n) })),
      ),
    },
  );

/** Printable ASCII: workerd would re-encode anything else as UTF-8 (and warn each time). */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

export function requestArb(world: FuzzWorld, routes: string[]): fc.Arbitrary<FuzzRequest> {
  const query = fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.oneof(textish, numberish.map(String))), {
    maxLength: 4,
  });
  return fc
    .record({
      route: fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom(...routes) },
        { weight: 1, arbitrary: fc.webPath().map((p) => `GET /api${p}`) },
      ),
      otherMethod: fc.option(fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND"), {
        freq: 4,
      }),
      id: idSegment(world),
      slash: fc.boolean(),
      query,
      auth: fc.constantFrom(...world.auth),
      contentType: fc.constantFrom(
        "application/json",
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/x-www-form-urlencoded",
        undefined,
      ),
      extra: fc.dictionary(
        fc.constantFrom(
          "idempotency-key",
          "x-request-id",
          "cf-connecting-ip",
          "accept",
          "origin",
          "upgrade",
          "sec-websocket-protocol",
        ),
        headerText,
        { maxKeys: 3 },
      ),
      body: body(world),
    })
    .map(({ route, otherMethod, id, slash, query, auth, contentType, extra, body }) => {
      const [routeMethod, pattern] = route.split(" ") as [string, string];
      const method = otherMethod ?? routeMethod;
      const path = pattern.replace(/:\w+(\{[^}]*\})?/g, id) + (slash ? "/" : "");
      const search = query.length ? `?${query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}` : "";
      const headers: Record<string, string> = { ...extra };
      if (auth) headers.authorization = auth;
      if (contentType) headers["content-type"] = contentType;
      const hasBody = method !== "GET" && method !== "HEAD";
      return { route, method, path: path + search, headers, body: hasBody ? body : undefined };
    });
}

const TABLES: [string, string][] = [
  ["users", "id"],
  ["token_families", "id"],
  ["categories", "id"],
  ["products", "id"],
  ["carts", "id"],
  ["cart_items", "id"],
  ["orders", "id"],
  ["order_items", "id"],
  ["order_status_history", "id"],
  ["order_events", "id"],
  ["idempotency_keys", "user_id, t.key"],
];

/** One md5 per table over every row in key order: any changed, added or removed row changes it. */
export const CHECKSUM_SQL = `select ${TABLES.map(
  ([table, key]) =>
    `(select md5(coalesce(string_agg(t::text, ',' order by t.${key}), '')) from ${table} t) as ${table}`,
).join(", ")}`;

/**
 * A row-level trigger on every table logs each committed row change with the connection's
 * `application_name`; each fuzzed request connects under its own name, so one query per batch
 * tells exactly which requests wrote rows. Rolled-back writes leave no trace (the log is a table).
 */
export const CHANGE_LOG_SQL = `
  create table fuzz_changes (id bigserial primary key, app text not null, tbl text not null, op text not null);
  create function fuzz_log() returns trigger language plpgsql as $$
    begin
      insert into fuzz_changes (app, tbl, op) values (current_setting('application_name'), tg_table_name, tg_op);
      return null;
    end $$;
  ${TABLES.map(([t]) => `create trigger fuzz_log after insert or update or delete on ${t} for each row execute function fuzz_log();`).join("\n")}`;

/** This file's database URL with a connection name, so the change log can tell requests apart. */
export const tagged = (databaseUrl: string, name: string) => {
  const url = new URL(databaseUrl);
  url.searchParams.set("application_name", name);
  return url.toString();
};
