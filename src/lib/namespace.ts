// No imports on purpose: `scripts/seed.ts` and the bench (plain Node) name the Worker's keys with it too.

/** FNV-1a over UTF-16 units, with a seed, as unsigned 32 bits. */
function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A short, stable name for the database a connection string points at: its host, port and
 * database name (never its user or password). Two environments on two databases get two tags,
 * whatever else they share; it names their Redis keys and their staff feed.
 */
export function databaseTag(databaseUrl: string): string {
  let where = databaseUrl;
  try {
    const u = new URL(databaseUrl);
    where = `${u.hostname.toLowerCase()}:${u.port || "5432"}${u.pathname}`;
  } catch {
    // Not a URL (a libpq keyword string): the whole string still names one database.
  }
  return fnv1a(where, 0x811c9dc5).toString(36) + fnv1a(where, 0x01000193).toString(36);
}

/** Every Redis key's prefix: the operator's `REDIS_PREFIX`, then the database's own namespace. */
export const redisNamespace = (redisPrefix: string, databaseUrl: string) =>
  `${redisPrefix}db:${databaseTag(databaseUrl)}:`;
