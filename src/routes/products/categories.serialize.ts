import { sql } from "drizzle-orm";
import * as z from "zod";
import { categories } from "../../db/schema";
import { count, id, timestamp } from "../../openapi/schemas";

export const Category = z
  .object({ id, name: z.string(), description: z.string(), products_count: count, created_at: timestamp })
  .meta({ id: "Category" });
export const CategoryList = z.array(Category).meta({ id: "CategoryList" });

/**
 * Columns of a category with its count of visible products. The count is a correlated
 * subquery answered from the partial index on (category_id, ...) WHERE NOT is_archived.
 * Its names are spelled out: drizzle leaves columns unqualified in single-table selects,
 * where an interpolated `categories.id` would silently mean the inner `products.id`.
 */
export const categoryColumns = {
  id: categories.id,
  name: categories.name,
  description: categories.description,
  createdAt: categories.createdAt,
  productsCount:
    sql<number>`(select count(*) from products p where p.category_id = "categories"."id" and not p.is_archived)`.mapWith(
      Number,
    ),
};

export interface CategoryRow {
  id: number;
  name: string;
  description: string;
  createdAt: Date;
  productsCount: number;
}

/** The contract's category JSON, also nested in a product's detail. */
export const categoryJson = (c: CategoryRow): z.infer<typeof Category> => ({
  id: c.id,
  name: c.name,
  description: c.description,
  products_count: c.productsCount,
  created_at: c.createdAt.toISOString(),
});

export type CategoryJson = z.infer<typeof Category>;
