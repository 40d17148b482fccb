import { and, asc, eq, ne, sql } from "drizzle-orm";
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

export async function createCategory(db: Db, input: CategoryCreate): Promise<CategoryJson> {
  // The unique index is on lower(name); a conflict, even a concurrent one, inserts nothing.
  const [row] = await db.insert(categories).values(input).onConflictDoNothing().returning();
  if (!row) throw nameTaken();
  return categoryJson({ ...row, productsCount: 0 });
}

export async function updateCategory(db: Db, id: number, patch: CategoryUpdate): Promise<CategoryJson> {
  const [current] = await db.select({ id: categories.id }).from(categories).where(eq(categories.id, id));
  if (!current) throw notFound();
  if (patch.name !== undefined) {
    const [clash] = await db
      .select({ id: categories.id })
      .from(categories)
      .where(and(sameName(patch.name), ne(categories.id, id)));
    // A rename racing this one past the check still meets the unique index (a generic 400).
    if (clash) throw nameTaken();
  }
  if (patch.name !== undefined || patch.description !== undefined) {
    await db.update(categories).set(patch).where(eq(categories.id, id));
  }
  return getCategory(db, id);
}

/**
 * Refused while any product, archived ones included, still points at the category: archived
 * products stay in order history and need their category.
 */
export async function deleteCategory(db: Db, id: number): Promise<void> {
  const deleted = await db
    .delete(categories)
    .where(and(eq(categories.id, id), sql`not exists (select 1 from ${products} where ${products.categoryId} = ${id})`))
    .returning({ id: categories.id });
  if (deleted.length) return;
  await getCategory(db, id);
  throw badRequest("Cannot delete a category that still has products (archived ones included).");
}
