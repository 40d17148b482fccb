import { categoryCreate, categoryUpdate } from "../routes/products/categories.schemas";
import { listQuery, lowStockQuery, productCreate, productUpdate } from "../routes/products/products.schemas";
import { Category, CategoryList, Detail, ProductDetail, Product, ProductList, ProductPage } from "./responses";
import { type ApiRoute, putAndPatch } from "./route";

const PRODUCT = "/api/products/:id{[0-9]+}";
const CATEGORY = "/api/products/categories/:id{[0-9]+}";
const partial = "Partial updates are accepted for both PUT and PATCH (the seed's own client sends a partial PUT).";

export const catalogPaths: ApiRoute[] = [
  {
    method: "get", path: "/api/products", tag: "products", summary: "List products (paginated, filtered)", access: "anyone",
    description: "Served from the Redis cache when it is up (`X-Cache: HIT|MISS|BYPASS`). A filter value of the wrong type, or an unknown `category`, is a 400 naming the parameter.",
    query: listQuery, errors: [404],
    params: {
      category: "Category id",
      min_price: "Lowest price, inclusive (decimal)",
      max_price: "Highest price, inclusive (decimal)",
      in_stock: "`true` or `false`",
      search: "Case-insensitive; every word must match the name or the description",
      ordering: "Sort order (default `-created_at`)",
    },
    ok: { status: 200, description: "One page of products", schema: ProductPage },
  },
  {
    method: "post", path: "/api/products", tag: "products", summary: "Create a product", access: "staff",
    body: productCreate,
    ok: { status: 201, description: "Created", schema: Product },
  },
  {
    method: "get", path: "/api/products/low_stock", tag: "products", summary: "Products with 0 < stock < threshold", access: "staff",
    query: lowStockQuery,
    params: { threshold: "Exclusive upper bound on stock (default 10)", category: "Category id" },
    ok: { status: 200, description: "Plain list, lowest stock first", schema: ProductList },
  },
  {
    method: "get", path: PRODUCT, tag: "products", summary: "One product, with its category nested", access: "anyone",
    ok: { status: 200, description: "The product", schema: ProductDetail },
  },
  ...putAndPatch({
    path: PRODUCT, tag: "products", summary: "Update a product", access: "staff", description: partial,
    body: productUpdate,
    ok: { status: 200, description: "Updated", schema: Product },
  }),
  {
    method: "delete", path: PRODUCT, tag: "products", summary: "Delete a product", access: "staff",
    description: "A product that appears in orders is archived (hidden from the catalog) instead, so order history keeps it.",
    ok: { status: 204, description: "Deleted or archived", schema: null },
  },
  {
    method: "get", path: "/api/products/categories", tag: "categories", summary: "List categories (not paginated)", access: "anyone",
    ok: { status: 200, description: "Every category", schema: CategoryList },
  },
  {
    method: "post", path: "/api/products/categories", tag: "categories", summary: "Create a category", access: "staff",
    description: "Names are unique, case-insensitively.",
    body: categoryCreate,
    ok: { status: 201, description: "Created", schema: Category },
  },
  {
    method: "get", path: CATEGORY, tag: "categories", summary: "One category", access: "anyone",
    ok: { status: 200, description: "The category", schema: Category },
  },
  ...putAndPatch({
    path: CATEGORY, tag: "categories", summary: "Update a category", access: "staff", description: partial,
    body: categoryUpdate,
    ok: { status: 200, description: "Updated", schema: Category },
  }),
  {
    method: "delete", path: CATEGORY, tag: "categories", summary: "Delete a category without products", access: "staff",
    ok: { status: 204, description: "Deleted", schema: null },
    responses: { 400: { description: "The category still has products (archived ones included)", schema: Detail } },
  },
];
