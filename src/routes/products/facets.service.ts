import { type AnyColumn, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { categories, products } from "../../db/schema";
import { parseSearch } from "../../lib/search";
import { type FacetRow, type FacetsJson, facetsJson, PRICE_BAND_EDGES } from "./facets.serialize";
import { categoryCheck, checkCategory, type ProductFilters, productFilter } from "./products.service";
import { fuzzySimilarity, matchedProducts, type SearchMode } from "./search.service";

const bandEdges = sql.raw(`'{${PRICE_BAND_EDGES.join(",")}}'::numeric[]`);

/** The columns a facet counts, from `products` or from a search's matches. */
type Counted = Record<"categoryId" | "price" | "stock", AnyColumn | SQL.Aliased>;

/**
 * Counts per category, price band and stock state under the filters, in one scan of the products
 * they leave (GROUPING SETS); the empty set is the total, so an empty catalog still answers a row.
 */
const counts = (t: Counted) => ({
  categoryId: sql<number | null>`${t.categoryId}`,
  categoryName: sql<string | null>`${categories.name}`,
  band: sql<number | null>`width_bucket(${t.price}, ${bandEdges})`.as("band"),
  inStock: sql<boolean | null>`${t.stock} > 0`.as("in_stock"),
  n: sql<number>`count(*)`.mapWith(Number),
});
const sets = (t: Counted) => sql`grouping sets ((${t.categoryId}, ${categories.name}), (band), (in_stock), ())`;

/** The facets statement without search; exported so a test can EXPLAIN it. */
export function facetsQuery(db: Db, filters: ProductFilters) {
  return db
    .select(counts(products))
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .where(productFilter(filters))
    .groupBy(sets(products))
    .orderBy(asc(categories.name), asc(products.categoryId));
}

/** The facets statement of a search: the same counts over its matches, and whether the fallback answered. */
export function searchFacetsQuery(db: Db, filters: ProductFilters & { search: string }) {
  const { ctes, found, fuzzy } = matchedProducts(db, productFilter(filters), parseSearch(filters.search), false);
  return db
    .with(...ctes)
    .select({ ...counts(found), fuzzy })
    .from(found)
    .innerJoin(categories, eq(categories.id, found.categoryId))
    .groupBy(sets(found))
    .orderBy(asc(categories.name), asc(found.categoryId));
}

/**
 * The facets under `filters` in one round trip, with the category filter's check and a search's
 * setting for fuzzy matching; `mode` says which search answered.
 */
export async function productFacets(
  db: Db,
  filters: ProductFilters,
): Promise<{ facets: FacetsJson; mode?: SearchMode }> {
  const check = filters.category === undefined ? [] : [categoryCheck(db, filters.category)];
  const { search } = filters;
  if (search === undefined) {
    const query = facetsQuery(db, filters);
    const [rows, known] = check.length ? await db.batch([query, ...check]) : [await query];
    return { facets: facetsOf(rows, known, filters.category) };
  }
  const [, rows, known] = await db.batch([
    fuzzySimilarity(db),
    searchFacetsQuery(db, { ...filters, search }),
    ...check,
  ]);
  // Every row carries the same flag; the total's row is always there.
  return { facets: facetsOf(rows, known, filters.category), mode: rows[0]?.fuzzy ? "fuzzy" : "fulltext" };
}

function facetsOf(rows: FacetRow[], known: { id: number }[] | undefined, category: number | undefined): FacetsJson {
  const facets = facetsJson(rows);
  if (facets.count === 0) checkCategory(known, category);
  return facets;
}
