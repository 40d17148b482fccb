import { redisNamespace } from "../../src/lib/namespace.ts";
import { catalogVersionKeys } from "../../src/routes/products/cache.keys.ts";
import { connectRedis } from "../local/resp.ts";

/**
 * A running Worker caches catalog responses: bump this database's versions so it shows rows a
 * script wrote at once. Without Redis there is no cache; unreachable, the entries expire within a minute.
 */
export async function invalidateCatalogCache(redisUrl: string | undefined, databaseUrl: string): Promise<void> {
  if (!redisUrl) return;
  const ns = redisNamespace(process.env.REDIS_PREFIX ?? "", databaseUrl);
  try {
    const redis = await connectRedis(redisUrl);
    await redis.send([
      ["INCR", ns + catalogVersionKeys.lists],
      ["INCR", ns + catalogVersionKeys.details],
    ]);
    redis.close();
  } catch (err) {
    console.warn(`could not reach Redis (${String(err)}); cached catalog pages refresh within a minute`);
  }
}
