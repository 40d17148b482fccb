import { categories, products } from "../../db/schema";

/** Columns of a product row with its category name; select them with `innerJoin(categories, ...)`. */
export const productColumns = {
  id: products.id,
  name: products.name,
  description: products.description,
  price: products.price,
  stock: products.stock,
  categoryId: products.categoryId,
  categoryName: categories.name,
  createdAt: products.createdAt,
  updatedAt: products.updatedAt,
};

export interface ProductRow {
  id: number;
  name: string;
  description: string;
  price: string;
  stock: number;
  categoryId: number;
  categoryName: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The contract's product JSON; `price` stays the decimal string Postgres returned. */
export const productJson = (p: ProductRow) => ({
  id: p.id,
  name: p.name,
  description: p.description,
  price: p.price,
  stock: p.stock,
  category: p.categoryId,
  category_name: p.categoryName,
  in_stock: p.stock > 0,
  created_at: p.createdAt.toISOString(),
  updated_at: p.updatedAt.toISOString(),
});

export type ProductJson = ReturnType<typeof productJson>;
