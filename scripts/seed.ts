// npm run db:seed                      the demo catalog (idempotent)
// npm run db:seed -- --products 100000  also make sure 100000 generated products exist (benchmarks)
import { parseArgs } from "node:util";
import pg from "pg";
import { invalidateCatalogCache } from "./lib/catalog-cache.ts";
import { loadDevConfig } from "./lib/dev-config.ts";
import { applyMigrations } from "./lib/migrate.ts";
import { progress } from "./lib/progress.ts";
import { openDatabase } from "./lib/stack.ts";
import { demoCatalog } from "./seed-data.ts";

const GENERATED = "Benchmark item ";
const MAX_GENERATED = 5_000_000;

function generatedTarget(): number {
  const { values } = parseArgs({ options: { products: { type: "string" } } });
  if (values.products === undefined) return 0;
  const n = Number(values.products);
  if (!/^\d+$/.test(values.products) || n > MAX_GENERATED) {
    console.error(`--products takes a whole number from 0 to ${MAX_GENERATED}, got "${values.products}"`);
    process.exit(2);
  }
  return n;
}

/** Categories by lower(name), products inserted only when no product has that name: re-runs change nothing. */
async function seedDemo(client: pg.Client): Promise<number> {
  const categories = demoCatalog.map(({ name, description }) => ({ name, description }));
  await client.query(
    `insert into categories (name, description)
     select name, description from json_to_recordset($1::json) as c(name text, description text)
     on conflict ((lower(name))) do nothing`,
    [JSON.stringify(categories)],
  );
  const products = demoCatalog.flatMap((c) =>
    c.products.map(([name, price, stock, description]) => ({ name, price, stock, description, category: c.name })),
  );
  // Prices travel as text and are cast to numeric by Postgres: no float on the way.
  const inserted = await client.query(
    `insert into products (name, description, price, stock, category_id)
     select p.name, p.description, p.price::numeric(10,2), p.stock, c.id
     from json_to_recordset($1::json) as p(name text, description text, price text, stock int, category text)
     join categories c on lower(c.name) = lower(p.category)
     where not exists (select 1 from products x where lower(x.name) = lower(p.name))`,
    [JSON.stringify(products)],
  );
  return inserted.rowCount ?? 0;
}

/** Tops the generated products up to `target` in batches of INSERT ... SELECT generate_series. */
async function seedGenerated(client: pg.Client, target: number): Promise<number> {
  const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from products where name like $1`, [
    `${GENERATED}%`,
  ]);
  const have = rows[0]?.n ?? 0;
  const { rows: cats } = await client.query<{ id: number }>("select id from categories order by id");
  const ids = cats.map((c) => c.id);
  // Batches small enough for the progress line to move every second or so.
  const batch = 25_000;
  const shown = progress("db:seed", target - have, { unit: "products", every: batch });
  for (let from = have + 1; from <= target; from += batch) {
    const to = Math.min(target, from + batch - 1);
    // Prices 1.00..999.99 in integer cents turned numeric; stock 0..119 so filters and low_stock have matches.
    await client.query(
      `insert into products (name, description, price, stock, category_id, created_at, updated_at)
       select $1 || lpad(g::text, 7, '0'),
              'Generated product number ' || g || ' for benchmarks',
              ((g::bigint * 7919) % 99900 + 100)::numeric / 100,
              (g * 31) % 120,
              ($4::int[])[1 + g % cardinality($4::int[])],
              now() - make_interval(secs => g),
              now() - make_interval(secs => g)
       from generate_series($2::int, $3::int) as g`,
      [GENERATED, from, to, ids],
    );
    shown.add(to - from + 1);
  }
  return Math.max(0, target - have);
}

const target = generatedTarget();
const cfg = loadDevConfig();
const database = await openDatabase(cfg);
const client = new pg.Client({ connectionString: database.url });
try {
  await applyMigrations(database.url);
  await client.connect();
  const started = performance.now();
  const demo = await seedDemo(client);
  const generated = target ? await seedGenerated(client, target) : 0;
  // Fresh statistics and visibility map, so the planner uses the partial indexes (index-only counts).
  if (demo + generated > 0) await client.query("vacuum analyze products");
  await invalidateCatalogCache(cfg.REDIS_URL, database.url);
  const { rows } = await client.query<{ n: number }>("select count(*)::int as n from products where not is_archived");
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `seeded ${database.embedded ? "the embedded database" : "DATABASE_URL"}: ${demo} demo and ${generated} generated products added in ${seconds}s; ${rows[0]?.n} visible products in total`,
  );
} finally {
  await client.end().catch(() => {});
  await database.close();
}
