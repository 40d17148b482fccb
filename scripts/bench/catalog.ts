// Catalog data and the read-path scenarios: the floor, cached reads, uncached filtered lists.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { catalogVersionKeys } from "../../src/routes/products/cache.keys.ts";
import { connectRedis } from "../local/resp.ts";
import { inChild } from "./driver.ts";
import type { HttpLoadResult } from "./http-load.ts";
import { ourCpuDuring } from "./machine.ts";

const seedScript = fileURLToPath(new URL("../seed.ts", import.meta.url));

/** `npm run db:seed -- --products N` against the bench database: the demo catalog plus N generated products. */
export async function seed(databaseUrl: string, products: number): Promise<void> {
  // Without REDIS_URL the seed bumps nothing; `invalidateCatalog` bumps the bench Worker's own namespace.
  const { REDIS_URL: _unused, ...env } = process.env;
  const child = spawn(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", seedScript, "--products", String(products)],
    {
      env: { ...env, DATABASE_URL: databaseUrl },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`db:seed --products ${products} failed (${code}):\n${out}`);
  // The seed ends with VACUUM ANALYZE; a checkpoint now keeps the bulk load's writes from being
  // flushed in the middle of the next measurement (a one-second stall in every connection's p99).
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("CHECKPOINT");
  } catch (err) {
    // Needs superuser or pg_checkpoint; without it the run goes on and may show that stall.
    console.warn(`bench: CHECKPOINT refused (${(err as Error).message}); a write-back stall may show in the next run`);
  } finally {
    await client.end();
  }
}

/**
 * Bumps the bench Worker's version counters (`namespace` is its Redis namespace), exactly as a
 * catalog write would, so no entry from before the seed is ever served.
 */
export async function invalidateCatalog(redisUrl: string, namespace: string): Promise<void> {
  const redis = await connectRedis(redisUrl);
  try {
    await redis.send([
      ["INCR", namespace + catalogVersionKeys.lists],
      ["INCR", namespace + catalogVersionKeys.details],
    ]);
  } finally {
    redis.close();
  }
}

export interface CatalogFacts {
  products: number;
  categories: number[];
  /** Visible product ids spread over the catalog, for detail reads. */
  sampleIds: number[];
}

export async function catalogFacts(databaseUrl: string, samples: number): Promise<CatalogFacts> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const count = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM products WHERE NOT is_archived");
    const cats = await client.query<{ id: number }>("SELECT id FROM categories ORDER BY id");
    const ids = await client.query<{ id: number }>(
      "SELECT id FROM products WHERE NOT is_archived ORDER BY (id * 2654435761::bigint) % 4294967296 LIMIT $1",
      [samples],
    );
    return { products: count.rows[0]!.n, categories: cats.rows.map((r) => r.id), sampleIds: ids.rows.map((r) => r.id) };
  } finally {
    await client.end();
  }
}

export interface LoadShape {
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

async function load(baseUrl: string, paths: string[], shape: LoadShape): Promise<HttpLoadResult> {
  const { result, cpuMs, share } = await ourCpuDuring(() =>
    inChild({ kind: "http", baseUrl, paths, ...shape }, (shape.seconds + shape.warmupSeconds + 60) * 1000),
  );
  const all = result.requests + result.warmupRequests;
  return {
    ...result,
    cpuMsPerRequest: cpuMs === null || all === 0 ? null : Math.round((cpuMs / all) * 100) / 100,
    cpu: share,
  };
}

/**
 * Asks each path twice (a key's first read in an isolate stores nothing, the second fills the
 * cache) and checks the next answer is a hit.
 */
async function warm(baseUrl: string, paths: string[]): Promise<void> {
  for (const path of [...paths, ...paths]) await (await fetch(baseUrl + path)).arrayBuffer();
  const res = await fetch(baseUrl + paths[0]!);
  await res.arrayBuffer();
  if (res.headers.get("x-cache") !== "HIT")
    throw new Error(`warm-up: ${paths[0]} answered X-Cache: ${res.headers.get("x-cache")}, not HIT`);
}

export const floor = (baseUrl: string, shape: LoadShape) => load(baseUrl, ["/api/"], shape);

export async function cachedList(baseUrl: string, shape: LoadShape): Promise<HttpLoadResult> {
  const paths = ["/api/products/"];
  await warm(baseUrl, paths);
  return load(baseUrl, paths, shape);
}

/** A filtered, ordered list (a category, a price floor, in stock), warmed: what a shopper browsing a category asks. */
export async function cachedFiltered(baseUrl: string, facts: CatalogFacts, shape: LoadShape): Promise<HttpLoadResult> {
  const paths = [`/api/products/?category=${facts.categories[0]}&ordering=price&min_price=5.00&in_stock=true`];
  await warm(baseUrl, paths);
  return load(baseUrl, paths, shape);
}

export async function cachedDetail(baseUrl: string, facts: CatalogFacts, shape: LoadShape): Promise<HttpLoadResult> {
  const paths = facts.sampleIds.map((id) => `/api/products/${id}/`);
  await warm(baseUrl, paths);
  return load(baseUrl, paths, shape);
}

/**
 * Every request a different cache key, so every one is a real miss (version lookup, entry lookup,
 * Postgres, store in the background): categories in turn, min_price stepping by one cent.
 * `parity` picks odd or even cents, so the second catalog size never meets the first's entries.
 */
export function uncachedPaths(categories: number[], count: number, parity: 0 | 1): string[] {
  return Array.from({ length: count }, (_, i) => {
    const category = categories[i % categories.length]!;
    const cents = 2 * Math.floor(i / categories.length) + 1 + parity;
    return `/api/products/?category=${category}&ordering=price&min_price=${(cents / 100).toFixed(2)}`;
  });
}

/** Loads `paths` after checking the last one misses the cache (it is not requested again). */
async function uncached(baseUrl: string, paths: string[], shape: LoadShape): Promise<HttpLoadResult> {
  const probe = await fetch(`${baseUrl}${paths.at(-1)}`);
  await probe.arrayBuffer();
  if (probe.headers.get("x-cache") !== "MISS")
    throw new Error(`uncached probe answered X-Cache: ${probe.headers.get("x-cache")}, not MISS`);
  return load(baseUrl, paths.slice(0, -1), shape);
}

export const uncachedList = (baseUrl: string, facts: CatalogFacts, parity: 0 | 1, shape: LoadShape) =>
  uncached(baseUrl, uncachedPaths(facts.categories, 50_000, parity), shape);

/**
 * What shoppers type, as the demo catalog has it: whole words and phrases, words being typed
 * (prefixes) and typos (the fuzzy fallback). Each matches a handful of the demo products, at
 * 1,000 products as at 100,000: the generated ones are all "Benchmark item N".
 */
export const SEARCHES = [
  "keyboard",
  "gaming laptop",
  "headphones",
  '"cast iron"',
  "board -cutting",
  "running shoes",
  "keyb",
  "espres",
  "keybaord",
  "hedphones",
] as const;

/**
 * Uncached searches: every request a different key (the search, a page size of 10 to 19, and a
 * `min_price` below every demo price, so the answer is the search's), `parity` as above.
 */
export function uncachedSearchPaths(count: number, parity: 0 | 1): string[] {
  return Array.from({ length: count }, (_, i) => {
    const search = encodeURIComponent(SEARCHES[i % SEARCHES.length]!);
    const rest = Math.floor(i / SEARCHES.length);
    const pageSize = 10 + (rest % 10);
    const cents = 2 * (Math.floor(rest / 10) % 600) + 1 + parity;
    return `/api/products/?search=${search}&page_size=${pageSize}&min_price=${(cents / 100).toFixed(2)}`;
  });
}

export const uncachedSearch = (baseUrl: string, parity: 0 | 1, shape: LoadShape) =>
  uncached(baseUrl, uncachedSearchPaths(60_000, parity), shape);
