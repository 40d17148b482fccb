import type { Context, TypedResponse } from "hono";
import type { AppEnv } from "../../context";
import type { Cache } from "../../lib/cache";
import { log } from "../../lib/log";
import { CATALOG_TTL_SECONDS, catalogVersionKeys as ver } from "./cache.keys";

/*
 * Catalog responses are cached with the version counters they were built under. A read fetches
 * the counters and the entry in one MGET (one round trip) and serves the entry only if its
 * stamp equals the counters; a write increments the counters after its transaction commits, so
 * every later read, from any client in any region, sees a stamp that no longer matches and never
 * serves the old entry again. Nothing is enumerated or deleted; entries are overwritten or expire.
 *
 * The one gap: if Redis cannot be reached when a write tries to increment (retried once),
 * entries built before that write can be served again once Redis answers, for at most
 * CATALOG_TTL_SECONDS. That is logged as an error.
 */

export type CacheStatus = "HIT" | "MISS" | "BYPASS";

let offLogged = false;

/**
 * An answer whose JSON is already text (a cached one), sent as is; `T` is what the text holds, so
 * the route's type (and the typed client's) is the same as `c.json` would give.
 */
export const jsonText = <T>(c: Context<AppEnv>, text: string) =>
  c.body(text, 200, { "Content-Type": "application/json" }) as unknown as Response & TypedResponse<T, 200, "json">;

/**
 * Entry keys this isolate has asked for lately. A key it has not seen is likely a miss, so its
 * first read asks Postgres at once, beside Redis (see `firstRead`). Bounded: at the cap it starts
 * over, which only costs a few more concurrent first reads.
 */
const seen = new Set<string>();
const SEEN_MAX = 10_000;

function firstVisit(key: string): boolean {
  if (seen.has(key)) return false;
  if (seen.size >= SEEN_MAX) seen.clear();
  seen.add(key);
  return true;
}

/** The MGET's version counters joined with "." (a missing counter is 0): what an entry must be stamped with. */
const stampOf = (got: (string | null)[]) =>
  got
    .slice(0, -1)
    .map((v) => v ?? 0)
    .join(".");

/** The entry's text when its stamp matches the counters read with it, else null. */
function freshEntry(got: (string | null)[]): string | null {
  const entry = got.at(-1);
  if (!entry) return null;
  const newline = entry.indexOf("\n");
  return entry.slice(0, newline) === stampOf(got) ? entry.slice(newline + 1) : null;
}

/**
 * Serves `load()`'s JSON text through the cache and sets `X-Cache`. An entry is the version
 * counters it was built under (joined with "."), a newline, and the text, served as stored: a hit
 * never parses or re-serialises it. Redis off or failing: `load()` is served (`BYPASS`) and
 * nothing is stored, since without the versions no key can be trusted.
 */
export async function cachedText(
  c: Context<AppEnv>,
  versionKeys: readonly string[],
  entryKey: string,
  load: () => Promise<string>,
): Promise<string> {
  const cache = c.var.cache;
  if (!cache.enabled) {
    if (!offLogged) {
      offLogged = true;
      log("warn", "catalog cache off (no Upstash configured): serving from Postgres", { requestId: c.var.requestId });
    }
    c.header("X-Cache", "BYPASS");
    return load();
  }
  const key = cache.key(entryKey);
  const lookup = cache.tryMget([...versionKeys.map((k) => cache.key(k)), key]);
  if (firstVisit(key)) return firstRead(c, lookup, load);
  const got = await lookup;
  if (!got) {
    c.header("X-Cache", "BYPASS");
    return load();
  }
  const hit = freshEntry(got);
  if (hit !== null) {
    c.header("X-Cache", "HIT");
    return hit;
  }
  const text = await load();
  c.header("X-Cache", "MISS");
  // Stamped with the versions read before `load()`: if a write landed meanwhile, the stamp is
  // already behind the counters and the entry is never served, whenever this store happens.
  c.executionCtx.waitUntil(cache.set(key, `${stampOf(got)}\n${text}`, CATALOG_TTL_SECONDS));
  return text;
}

/**
 * A key's first read in this isolate: Redis and Postgres asked at once, so a miss costs the slower
 * of the two trips, not both in a row; a fresh entry answers as soon as Redis has it, even when
 * Postgres fails. Nothing is stored: the versions were not surely read before Postgres took its
 * snapshot, so an entry stamped with them could hide a write. The key's next read is an ordinary
 * one, which stores.
 */
async function firstRead(
  c: Context<AppEnv>,
  lookup: Promise<(string | null)[] | null>,
  load: () => Promise<string>,
): Promise<string> {
  const loading = load();
  // Awaited below unless a hit answers first; then its failure must not be reported unhandled.
  loading.catch(() => {});
  const got = await lookup;
  const hit = got && freshEntry(got);
  if (hit) {
    c.header("X-Cache", "HIT");
    return hit;
  }
  const text = await loading;
  c.header("X-Cache", got ? "MISS" : "BYPASS");
  return text;
}

async function bump(cache: Cache, keys: string[]): Promise<void> {
  if (!cache.enabled) return;
  const full = keys.map((k) => cache.key(k));
  // A retried INCR that had in fact landed only skips a version number, which is harmless.
  if ((await cache.incr(full)) || (await cache.incr(full))) return;
  log("error", "catalog cache invalidation failed: older entries may be served until they expire", {
    requestId: cache.requestId,
    keys,
    ttlSeconds: CATALOG_TTL_SECONDS,
  });
}

/**
 * Call after every committed stock change (orders, cancellations): makes product lists, the
 * category list and the given products' details fresh at once. Never throws.
 */
export async function invalidateCatalog(cache: Cache, productIds: readonly number[]): Promise<void> {
  const ids = [...new Set(productIds)];
  await bump(cache, [ver.lists, ...ids.map((id) => ver.product(id))]);
}

/** After a staff write to products or categories: names, categories and counts show in every response. */
export async function invalidateWholeCatalog(cache: Cache): Promise<void> {
  await bump(cache, [ver.lists, ver.details]);
}
