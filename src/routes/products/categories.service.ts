import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { categories, products } from "../../db/schema";
import { badRequest, fieldError, notFound } from "../../lib/errors";
import type { CategoryCreate, CategoryUpdate } from "./categories.schemas";
import { type CategoryJson, categoryColumns, categoryJson } from "./categories.serialize";

const nameTaken = () => fieldError("name", "category with this name already exists.");

const sameName = (name: string) => sql`lower(${categories.name}) = lower(${name})`;

export async function listCategories(db: Db): Promise<CategoryJson[]> {
  const rows = await db.select(categoryColumns).from(categories).orderBy(asc(categories.name), asc(categories.id));
  return rows.map(categoryJson);
}

export async function getCategory(db: Db, id: number): Promise<CategoryJson> {
  const [row] = await db.select(categoryColumns).from(categories).where(eq(categories.id, id));
  if (!row) throw notFound();
  return categoryJson(row);
}

/** Creates a category; the unique index is on lower(name), so a clash, even a concurrent one, inserts nothing. */
export const createCategoryQuery = (db: Db, input: CategoryCreate) =>
  db.insert(categories).values(input).onConflictDoNothing().returning();

export function createdCategory([row]: Awaited<ReturnType<typeof createCategoryQuery>>): CategoryJson {
  if (!row) throw nameTaken();
  return categoryJson({ ...row, productsCount: 0 });
}

/** One category with its product count, for a batch. */
export const categoryQuery = (db: Db, id: number) =>
  db.select(categoryColumns).from(categories).where(eq(categories.id, id));

/**
 * Renames or re-describes a category in one statement, refused (nothing written) when another
 * category has the name; a rename racing this one past the check still meets the unique index
 * (a generic 400). Batched with `categoryQuery`, which then reads the result.
 */
export function updateCategoryQuery(db: Db, id: number, patch: CategoryUpdate) {
  const sets = [
    patch.name !== undefined ? sql`name = ${patch.name}` : undefined,
    patch.description !== undefined ? sql`description = ${patch.description}` : undefined,
  ].filter((s) => s !== undefined);
  const clash =
    patch.name !== undefined
      ? sql`SELECT 1 FROM categories WHERE ${sameName(patch.name)} AND id <> ${id}::int`
      : sql`SELECT 1 WHERE false`;
  const change = sets.length
    ? sql`UPDATE categories SET ${sql.join(sets, sql`, `)} WHERE id IN (SELECT id FROM current) AND NOT EXISTS (SELECT 1 FROM clash) RETURNING id`
    : sql`SELECT id FROM current WHERE false`;
  return db.execute<{ found: boolean; clash: boolean }>(sql`
    WITH current AS (SELECT id FROM categories WHERE id = ${id}::int),
    clash AS (${clash}),
    changed AS (${change})
    SELECT EXISTS (SELECT 1 FROM current) AS found, EXISTS (SELECT 1 FROM clash) AS clash, (SELECT count(*) FROM changed) AS changed`);
}

export function updatedCategory([result, [row]]: [
  { rows: { found: boolean; clash: boolean }[] },
  Awaited<ReturnType<typeof categoryQuery>>,
]): CategoryJson {
  if (!result.rows[0]?.found || !row) throw notFound();
  if (result.rows[0].clash) throw nameTaken();
  return categoryJson(row);
}

/**
 * Refused while any product, archived ones included, still points at the category: archived
 * products stay in order history and need their category. One statement.
 */
export const deleteCategoryQuery = (db: Db, id: number) =>
  db.execute<{ found: boolean; deleted: boolean }>(sql`
    WITH target AS (SELECT id FROM categories WHERE id = ${id}::int),
    deleted AS (
      DELETE FROM categories WHERE id IN (SELECT id FROM target)
        AND NOT EXISTS (SELECT 1 FROM ${products} WHERE ${products.categoryId} = ${id}::int)
      RETURNING id)
    SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM deleted) AS deleted`);

export function deletedCategory(result: { rows: { found: boolean; deleted: boolean }[] }): void {
  const row = result.rows[0];
  if (!row?.found) throw notFound();
  if (!row.deleted) throw badRequest("Cannot delete a category that still has products (archived ones included).");
}
