import * as z from "zod";
import { categories, products } from "../../db/schema";
import { count, id, money, page, timestamp } from "../../openapi/schemas";
import { Category } from "./categories.serialize";

const productFields = {
  id,
  name: z.string(),
  description: z.string(),
  price: money,
  stock: count,
  category_name: z.string(),
  in_stock: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
};
export const Product = z.object({ ...productFields, category: id }).meta({ id: "Product" });
export const ProductList = z.array(Product).meta({ id: "ProductList" });
export const ProductDetail = z.object({ ...productFields, category: Category }).meta({ id: "ProductDetail" });
export const ProductPage = page(Product).meta({ id: "ProductPage" });

/** The product's own columns that the serializers read. */
export const productOwnColumns = {
  id: products.id,
  name: products.name,
  description: products.description,
  price: products.price,
  stock: products.stock,
  categoryId: products.categoryId,
  createdAt: products.createdAt,
  updatedAt: products.updatedAt,
};

/** Columns of a product row with its category name; select them with `innerJoin(categories, ...)`. */
export const productColumns = { ...productOwnColumns, categoryName: categories.name };

export type ProductRow = {
  id: number;
  name: string;
  description: string;
  price: string;
  stock: number;
  categoryId: number;
  categoryName: string;
  createdAt: Date;
  updatedAt: Date;
};

/** The contract's product JSON; `price` stays the decimal string Postgres returned. */
export const productJson = (p: ProductRow): z.infer<typeof Product> => ({
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

export type ProductJson = z.infer<typeof Product>;
