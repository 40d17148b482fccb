import { and, asc, desc, eq, gt, gte, lt, lte, type SQL, sql } from "drizzle-orm";
import type * as z from "zod";
import type { Db } from "../../db/client";
import { categories, orderItems, products } from "../../db/schema";
import { fieldError, notFound } from "../../lib/errors";
import { INVALID_CHOICE, missingPk } from "../../lib/fields";
import { searchAll } from "../../lib/search";
import { categoryColumns, categoryJson } from "./categories.serialize";
import type { ListQuery, Ordering, ProductCreate, ProductUpdate } from "./products.schemas";
import { type ProductDetail, type ProductJson, productColumns, productJson } from "./products.serialize";

export type ProductFilters = Pick<ListQuery, "category" | "min_price" | "max_price" | "in_stock" | "search">;

/** Written as `NOT is_archived`, never `= $1`, so the planner can match the partial indexes. */
export const visible = sql`not ${products.isArchived}`;

export function productFilter(f: ProductFilters): SQL {
  const conditions: (SQL | undefined)[] = [visible];
  if (f.category !== undefined) conditions.push(eq(products.categoryId, f.category));
  // Prices stay decimal strings; Postgres compares them as numeric.
  if (f.min_price !== undefined) conditions.push(gte(products.price, f.min_price));
  if (f.max_price !== undefined) conditions.push(lte(products.price, f.max_price));
  if (f.in_stock !== undefined) conditions.push(f.in_stock ? gt(products.stock, 0) : eq(products.stock, 0));
  // DRF's SearchFilter: every term must match the name or the description.
  conditions.push(searchAll(f.search, [products.name, products.description]));
  return and(...conditions)!;
}

// Each ordering ends with id in the same direction, matching the (column, id) indexes. The
// created_at indexes are `DESC NULLS LAST` (drizzle-kit's spelling), so the null placement is
// written to match them (a plain DESC means NULLS FIRST and would sort 100k rows instead);
// the columns are NOT NULL, so it changes no result.
const orderings: Record<Ordering, SQL[]> = {
  price: [asc(products.price), asc(products.id)],
  "-price": [desc(products.price), desc(products.id)],
  created_at: [sql`${products.createdAt} asc nulls first`, sql`${products.id} asc nulls first`],
  "-created_at": [sql`${products.createdAt} desc nulls last`, sql`${products.id} desc nulls last`],
  stock: [asc(products.stock), asc(products.id)],
  "-stock": [desc(products.stock), desc(products.id)],
  name: [asc(products.name), asc(products.id)],
  "-name": [desc(products.name), desc(products.id)],
};

/** An empty answer for an unknown category is django-filter's 400, not an empty list. */
async function assertCategoryChoice(db: Db, id: number | undefined): Promise<void> {
  if (id === undefined) return;
  const [row] = await db.select({ id: categories.id }).from(categories).where(eq(categories.id, id));
  if (!row) throw fieldError("category", INVALID_CHOICE);
}

/** The statement behind a list page; exported so a test can EXPLAIN exactly what runs. */
export function pageQuery(db: Db, filters: ProductFilters, ordering: Ordering, limit: number, offset: number) {
  const where = productFilter(filters);
  return db
    .select({
      ...productColumns,
      total: sql<number>`(select count(*) from ${products} where ${where})`.mapWith(Number),
    })
    .from(products)
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .where(where)
    .orderBy(...orderings[ordering])
    .limit(limit)
    .offset(offset);
}

/**
 * One page in one statement: the rows (category names by join) and the total as a scalar
 * subquery, so the page is read from an index with LIMIT while the count runs once.
 */
export async function listProducts(
  db: Db,
  filters: ProductFilters,
  ordering: Ordering,
  limit: number,
  offset: number,
): Promise<{ count: number; results: ProductJson[] }> {
  const rows = await pageQuery(db, filters, ordering, limit, offset);
  if (rows.length === 0) {
    await assertCategoryChoice(db, filters.category);
    if (offset > 0) throw notFound("Invalid page.");
  }
  return { count: rows[0]?.total ?? 0, results: rows.map(productJson) };
}

/** Staff view: visible products with 0 < stock < threshold, lowest stock first. */
export async function lowStockProducts(
  db: Db,
  threshold: number,
  category: number | undefined,
): Promise<ProductJson[]> {
  const rows = await db
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
  if (rows.length === 0) await assertCategoryChoice(db, category);
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

async function categoryName(db: Db, id: number): Promise<string> {
  const [row] = await db.select({ name: categories.name }).from(categories).where(eq(categories.id, id));
  if (!row) throw fieldError("category", missingPk(id));
  return row.name;
}

export async function createProduct(db: Db, input: ProductCreate): Promise<ProductJson> {
  const name = await categoryName(db, input.category);
  const { category, ...fields } = input;
  const [row] = await db
    .insert(products)
    .values({ ...fields, categoryId: category })
    .returning();
  return productJson({ ...row!, categoryName: name });
}

export async function updateProduct(db: Db, id: number, patch: ProductUpdate): Promise<ProductJson> {
  const { category, ...fields } = patch;
  // A missing product is a 404 even when the body also names a missing category.
  const [current] = await db
    .select({ categoryId: products.categoryId })
    .from(products)
    .where(and(eq(products.id, id), visible));
  if (!current) throw notFound();
  const name = await categoryName(db, category ?? current.categoryId);
  const [row] = await db
    .update(products)
    .set({ ...fields, ...(category === undefined ? {} : { categoryId: category }), updatedAt: sql`now()` })
    .where(and(eq(products.id, id), visible))
    .returning();
  if (!row) throw notFound();
  return productJson({ ...row, categoryName: name });
}

/**
 * Removes a product, or archives it if any order line names it, so order history keeps it.
 * The row lock makes the check exact: an order inserting a line for this product waits for
 * it (the foreign key check needs a share lock), and the check runs after any earlier one committed.
 */
export async function deleteProduct(db: Db, id: number): Promise<"deleted" | "archived"> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: products.id })
      .from(products)
      .where(and(eq(products.id, id), visible))
      .for("update");
    if (!row) throw notFound();
    const [ordered] = await tx
      .select({ id: orderItems.id })
      .from(orderItems)
      .where(eq(orderItems.productId, id))
      .limit(1);
    if (ordered) {
      await tx.update(products).set({ isArchived: true, updatedAt: sql`now()` }).where(eq(products.id, id));
      return "archived";
    }
    await tx.delete(products).where(eq(products.id, id));
    return "deleted";
  });
}
