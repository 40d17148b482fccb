import { type AnyColumn, and, asc, desc, eq, gt, gte, lt, lte, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type * as z from "zod";
import type { Db } from "../../db/client";
import { categories, products } from "../../db/schema";
import { fieldError, notFound } from "../../lib/errors";
import { INVALID_CHOICE, missingPk } from "../../lib/fields";
import { parseSearch, searchAll } from "../../lib/search";
import { categoryColumns, categoryJson } from "./categories.serialize";
import type { ListQuery, Ordering, ProductCreate, ProductUpdate } from "./products.schemas";
import {
  type ProductDetail,
  type ProductJson,
  type ProductRow,
  productColumns,
  productJson,
} from "./products.serialize";
import { fuzzySimilarity, matchedProducts, type SearchMode } from "./search.service";

export type ProductFilters = Pick<ListQuery, "category" | "min_price" | "max_price" | "in_stock" | "search">;

/** Written as `NOT is_archived`, never `= $1`, so the planner can match the partial indexes. */
export const visible = sql`not ${products.isArchived}`;

/** Every filter but `search`, which is matched by `matchedProducts` (search.service.ts). */
export function productFilter(f: Omit<ProductFilters, "search">): SQL {
  const conditions: (SQL | undefined)[] = [visible];
  if (f.category !== undefined) conditions.push(eq(products.categoryId, f.category));
  // Prices stay decimal strings; Postgres compares them as numeric.
  if (f.min_price !== undefined) conditions.push(gte(products.price, f.min_price));
  if (f.max_price !== undefined) conditions.push(lte(products.price, f.max_price));
  if (f.in_stock !== undefined) conditions.push(f.in_stock ? gt(products.stock, 0) : eq(products.stock, 0));
  return and(...conditions)!;
}

// Each ordering ends with id in the same direction, matching the (column, id) indexes. The
// created_at indexes are `DESC NULLS LAST` (drizzle-kit's spelling), so the null placement is
// written to match them (a plain DESC means NULLS FIRST and would sort 100k rows instead);
// the columns are NOT NULL, so it changes no result. Search results are sorted the same way.
type Sortable = Record<"id" | "price" | "createdAt" | "stock" | "name", AnyColumn | SQLWrapper>;
const orderingsOf = (t: Sortable): Record<Ordering, SQL[]> => ({
  price: [asc(t.price), asc(t.id)],
  "-price": [desc(t.price), desc(t.id)],
  created_at: [sql`${t.createdAt} asc nulls first`, sql`${t.id} asc nulls first`],
  "-created_at": [sql`${t.createdAt} desc nulls last`, sql`${t.id} desc nulls last`],
  stock: [asc(t.stock), asc(t.id)],
  "-stock": [desc(t.stock), desc(t.id)],
  name: [asc(t.name), asc(t.id)],
  "-name": [desc(t.name), desc(t.id)],
});
const orderings = orderingsOf(products);

/** A list's order: one of `ORDERINGS`, or by relevance, the default when searching. */
export type ListOrder = Ordering | "relevance";

/** Whether a category filter names a category: an empty answer for an unknown one is django-filter's 400. */
export const categoryCheck = (db: Db, id: number) =>
  db.select({ id: categories.id }).from(categories).where(eq(categories.id, id));

export function checkCategory(found: { id: number }[] | undefined, id: number | undefined): void {
  if (id !== undefined && found && !found.length) throw fieldError("category", INVALID_CHOICE);
}

/** A page of the products `where` picks, with category names and the total as a scalar subquery: one statement. */
function productPage(db: Db, where: SQL, order: SQL[], limit: number, offset: number) {
  return db
    .select({
      ...productColumns,
      total: sql<number>`(select count(*) from ${products} where ${where})`.mapWith(Number),
    })
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .where(where)
    .orderBy(...order)
    .limit(limit)
    .offset(offset);
}

/** The statement behind a list page without search; exported so a test can EXPLAIN exactly what runs. */
export const pageQuery = (db: Db, filters: ProductFilters, ordering: Ordering, limit: number, offset: number) =>
  productPage(db, productFilter(filters), orderings[ordering], limit, offset);

/**
 * The statement behind a search page (`filters.search` given): the matches, their count and
 * ranking in one statement (search.service.ts); relevance orders by tier (full-text hits before
 * fuzzy ones), score, then id. Exported so a test can EXPLAIN it.
 */
export function searchPageQuery(
  db: Db,
  filters: ProductFilters & { search: string },
  order: ListOrder,
  limit: number,
  offset: number,
) {
  const { ctes, found, fuzzy } = matchedProducts(
    db,
    productFilter(filters),
    parseSearch(filters.search),
    order === "relevance",
  );
  return db
    .with(...ctes)
    .select({
      id: found.id,
      name: found.name,
      description: found.description,
      price: found.price,
      stock: found.stock,
      categoryId: found.categoryId,
      categoryName: categories.name,
      createdAt: found.createdAt,
      updatedAt: found.updatedAt,
      total: sql<number>`(select count(*) from ${found})`.mapWith(Number),
      fuzzy,
    })
    .from(found)
    .innerJoin(categories, eq(categories.id, found.categoryId))
    .orderBy(
      ...(order === "relevance" ? [asc(found.tier), desc(found.score), asc(found.id)] : orderingsOf(found)[order]),
    )
    .limit(limit)
    .offset(offset);
}

/**
 * One page in one statement: the rows (category names by join) and the total as a scalar
 * subquery, so the page is read from an index with LIMIT while the count runs once; a search says
 * which mode answered. The category filter's check that it exists, and a search's setting for
 * fuzzy matching, ride in the same round trip.
 */
export async function listProducts(
  db: Db,
  filters: ProductFilters,
  order: ListOrder,
  limit: number,
  offset: number,
): Promise<{ count: number; results: ProductJson[]; mode?: SearchMode }> {
  const check = filters.category === undefined ? [] : [categoryCheck(db, filters.category)];
  const { search } = filters;
  if (search === undefined) {
    const page = pageQuery(db, filters, order === "relevance" ? "-created_at" : order, limit, offset);
    const [rows, known] = check.length ? await db.batch([page, ...check]) : [await page];
    return pageOf(rows, known, filters.category, offset);
  }
  const page = searchPageQuery(db, { ...filters, search }, order, limit, offset);
  const [, rows, known] = await db.batch([fuzzySimilarity(db), page, ...check]);
  // No row at all means fewer full-text hits than FUZZY_BELOW: the fallback answered.
  return { ...pageOf(rows, known, filters.category, offset), mode: rows[0]?.fuzzy === false ? "fulltext" : "fuzzy" };
}

function pageOf(
  rows: (ProductRow & { total: number })[],
  known: { id: number }[] | undefined,
  category: number | undefined,
  offset: number,
) {
  if (rows.length === 0) {
    checkCategory(known, category);
    if (offset > 0) throw notFound("Invalid page.");
  }
  return { count: rows[0]?.total ?? 0, results: rows.map(productJson) };
}

/** Staff view: visible products with 0 < stock < threshold, lowest stock first; with the category check, for a batch. */
export function lowStockQueries(db: Db, threshold: number, category: number | undefined) {
  const rows = db
    .select(productColumns)
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .where(
      and(
        visible,
        gt(products.stock, 0),
        lt(products.stock, threshold),
        category === undefined ? undefined : eq(products.categoryId, category),
      ),
    )
    .orderBy(asc(products.stock), asc(products.id));
  return [rows, categoryCheck(db, category ?? 0)] as const;
}

export function lowStockJson(
  [rows, known]: [Awaited<ReturnType<typeof lowStockQueries>[0]>, { id: number }[]],
  category: number | undefined,
) {
  if (rows.length === 0) checkCategory(known, category);
  return rows.map(productJson);
}

/** The product JSON with `category` as the nested category object. */
export async function productDetail(db: Db, id: number): Promise<z.infer<typeof ProductDetail>> {
  const [row] = await db
    .select({ product: productColumns, category: categoryColumns })
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .where(and(eq(products.id, id), visible));
  if (!row) throw notFound();
  return { ...productJson(row.product), category: categoryJson(row.category) };
}

/**
 * A product row written by a statement (`made`, `changed`) in the shape `productJson` reads, but
 * for its times: raw SQL answers timestamps as text (drizzle's neon-http setting), so they come as ISO text.
 */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const writtenRow = (table: string) =>
  sql.raw(`${table}.id, ${table}.name, ${table}.description, ${table}.price, ${table}.stock,
    ${table}.category_id AS "categoryId", cat.name AS "categoryName",
    ${iso(`${table}.created_at`)} AS "createdAt", ${iso(`${table}.updated_at`)} AS "updatedAt"`);

type Written = Omit<ProductRow, "createdAt" | "updatedAt"> & {
  createdAt: string;
  updatedAt: string;
  found: boolean;
  category_found: boolean;
};

/** Creates a product in one statement, with its category's name; no such category: nothing is written. For a batch. */
export const createProductQuery = (db: Db, input: ProductCreate) =>
  db.execute<Written>(sql`
    WITH cat AS (SELECT id, name FROM categories WHERE id = ${input.category}::int),
    made AS (
      INSERT INTO products (name, description, price, stock, category_id)
      SELECT ${input.name}, ${input.description ?? ""}, ${input.price}::numeric, ${input.stock ?? 0}::int, id FROM cat
      RETURNING *)
    SELECT true AS found, EXISTS (SELECT 1 FROM cat) AS category_found, ${writtenRow("made")}
    FROM (SELECT 1) one LEFT JOIN made ON true LEFT JOIN cat ON true`);

/**
 * Changes the fields given, in one statement: the product locked, the category (new or kept)
 * looked up, the update only when both exist. A missing product is a 404 even when the body
 * also names a missing category. For a batch.
 */
export function updateProductQuery(db: Db, id: number, patch: ProductUpdate) {
  const sets = [
    patch.name !== undefined ? sql`name = ${patch.name}` : undefined,
    patch.description !== undefined ? sql`description = ${patch.description}` : undefined,
    patch.price !== undefined ? sql`price = ${patch.price}::numeric` : undefined,
    patch.stock !== undefined ? sql`stock = ${patch.stock}::int` : undefined,
    patch.category !== undefined ? sql`category_id = ${patch.category}::int` : undefined,
    sql`updated_at = now()`,
  ].filter((s) => s !== undefined);
  return db.execute<Written>(sql`
    WITH current AS (SELECT id, category_id FROM products WHERE id = ${id}::int AND NOT is_archived FOR UPDATE),
    cat AS (SELECT id, name FROM categories WHERE id = COALESCE(${patch.category ?? null}::int, (SELECT category_id FROM current))),
    changed AS (
      UPDATE products SET ${sql.join(sets, sql`, `)}
      WHERE id IN (SELECT id FROM current) AND EXISTS (SELECT 1 FROM cat)
      RETURNING *)
    SELECT EXISTS (SELECT 1 FROM current) AS found, EXISTS (SELECT 1 FROM cat) AS category_found, ${writtenRow("changed")}
    FROM (SELECT 1) one LEFT JOIN changed ON true LEFT JOIN cat ON true`);
}

/** What a create or update answered: the product, or the contract's 404 / 400 with nothing written. */
export function writtenProduct(result: { rows: Written[] }, category: number | undefined): ProductJson {
  const row = result.rows[0]!;
  if (!row.found) throw notFound();
  if (!row.category_found) throw fieldError("category", missingPk(category ?? 0));
  return productJson({ ...row, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt) });
}

/**
 * Removes a product, or archives it if any order line names it, so order history keeps it: a
 * batch of two statements. The first locks the row; the second, with a newer snapshot, sees every
 * order that committed before the lock was had, and an order inserting a line for this product
 * now waits for this one (its foreign key check needs a share lock).
 */
export function deleteProductQueries(db: Db, id: number) {
  const lock = db.execute(sql`SELECT id FROM products WHERE id = ${id}::int AND NOT is_archived FOR UPDATE`);
  const act = db.execute<{ found: boolean; archived: boolean }>(sql`
    WITH target AS (SELECT id FROM products WHERE id = ${id}::int AND NOT is_archived),
    ordered AS (SELECT EXISTS (SELECT 1 FROM order_items WHERE product_id = ${id}::int) AS yes),
    archived AS (
      UPDATE products SET is_archived = true, updated_at = now()
      WHERE id IN (SELECT id FROM target) AND (SELECT yes FROM ordered) RETURNING id),
    deleted AS (DELETE FROM products WHERE id IN (SELECT id FROM target) AND NOT (SELECT yes FROM ordered) RETURNING id)
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM archived) AS archived`);
  return [lock, act] as const;
}

/** Archived products (staff), most recently archived first, searchable by name and description. */
export const archivedProductsQuery = (db: Db, search: string | undefined, limit: number, offset: number) =>
  productPage(
    db,
    and(sql`${products.isArchived}`, searchAll(search, [products.name, products.description]))!,
    [desc(products.updatedAt), desc(products.id)],
    limit,
    offset,
  );

/** Brings an archived product back into the catalog, in one statement; not archived or unknown: nothing written. For a batch. */
export const restoreProductQuery = (db: Db, id: number) =>
  db.execute<Written>(sql`
    WITH changed AS (
      UPDATE products SET is_archived = false, updated_at = now()
      WHERE id = ${id}::int AND is_archived RETURNING *)
    SELECT EXISTS (SELECT 1 FROM changed) AS found, true AS category_found, ${writtenRow("changed")}
    FROM (SELECT 1) one LEFT JOIN changed ON true LEFT JOIN categories cat ON cat.id = changed.category_id`);
