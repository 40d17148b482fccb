// No imports on purpose: `scripts/seed.ts` (plain Node) loads this file to invalidate the cache too.

/** Seconds a cached catalog response lives; it only matters if an invalidation was lost (see cache.service.ts). */
export const CATALOG_TTL_SECONDS = 60;

/**
 * Version counters (no TTL, so a volatile-* eviction policy never drops them). An entry's key
 * embeds the versions it was built under; a write increments them, so older entries are never read again.
 */
export const catalogVersionKeys = {
  /** Product lists, their facets and the category list: every catalog write, stock changes included. */
  lists: "catalog:v:lists",
  /** Every product detail: writes that can change any detail (names, categories, products_count). */
  details: "catalog:v:details",
  /** One product's detail: its own stock changes. */
  product: (id: number) => `catalog:v:product:${id}`,
} as const;
