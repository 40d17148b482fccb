// What `npm run import:django` reads from the Django shop's database and where each piece goes:
// the one place that knows both schemas. Django's schema is tests/fixtures/django-schema.sql.

import { usernameKey } from "../../src/lib/username.ts";

/** Column kinds as information_schema names them; Django's id columns are integer or bigint by version. */
const kinds = {
  id: ["integer", "bigint"],
  text: ["character varying", "text"],
  bool: ["boolean"],
  time: ["timestamp with time zone"],
  money: ["numeric"],
  int: ["integer", "bigint", "smallint"],
} as const;
type Kind = keyof typeof kinds;

export const acceptedTypes = (kind: Kind): readonly string[] => kinds[kind];

/** Every table and column the import reads, as Django 3.2 to 5.2 make them. */
export const DJANGO_SCHEMA: Record<string, Record<string, Kind>> = {
  auth_user: {
    id: "id",
    password: "text",
    last_login: "time",
    is_superuser: "bool",
    username: "text",
    first_name: "text",
    last_name: "text",
    email: "text",
    is_staff: "bool",
    is_active: "bool",
    date_joined: "time",
  },
  users_userprofile: {
    id: "id",
    phone_number: "text",
    address: "text",
    city: "text",
    postal_code: "text",
    country: "text",
    created_at: "time",
    updated_at: "time",
    user_id: "id",
  },
  products_category: { id: "id", name: "text", description: "text", created_at: "time" },
  products_product: {
    id: "id",
    name: "text",
    description: "text",
    price: "money",
    stock: "int",
    created_at: "time",
    updated_at: "time",
    category_id: "id",
  },
  orders_cart: { id: "id", created_at: "time", updated_at: "time", user_id: "id" },
  orders_cartitem: { id: "id", quantity: "int", added_at: "time", cart_id: "id", product_id: "id" },
  orders_order: {
    id: "id",
    status: "text",
    total_price: "money",
    shipping_address: "text",
    phone_number: "text",
    created_at: "time",
    updated_at: "time",
    user_id: "id",
  },
  orders_orderitem: { id: "id", quantity: "int", price: "money", order_id: "id", product_id: "id" },
};

/** Django columns with no place in ours: named in the summary, not copied. */
export const NOT_KEPT = [
  "auth_user.last_login",
  "auth_user.is_superuser (staff rights follow is_staff, as DRF's IsAdminUser does)",
  "users_userprofile.id, created_at and updated_at (the profile is part of the user)",
];

/**
 * One of our tables filled from a query on the source: `select` answers our column names (money
 * and timestamps as text, so nothing passes through a float or a JavaScript Date), in id order.
 */
export interface Copy {
  /** Our table. */
  table: string;
  /** How the summary and the progress lines name it. */
  label: string;
  select: string;
  /** Our columns and the types json_to_recordset reads them as. */
  columns: [name: string, type: string][];
  /** Fills columns the source cannot compute (the username key). */
  map?: (row: Record<string, unknown>) => Record<string, unknown>;
}

export const COPIES: Copy[] = [
  {
    table: "users",
    label: "users",
    // A user without a profile row gets our blank profile fields, as Django's NULLs do.
    select: `SELECT u.id, u.username, u.email, u.password AS password_hash, u.first_name, u.last_name,
      coalesce(p.phone_number, '') AS phone_number, coalesce(p.address, '') AS address,
      coalesce(p.city, '') AS city, coalesce(p.postal_code, '') AS postal_code, coalesce(p.country, '') AS country,
      u.is_staff, u.is_active, u.date_joined::text AS created_at
      FROM auth_user u LEFT JOIN users_userprofile p ON p.user_id = u.id ORDER BY u.id`,
    columns: [
      ["id", "int"],
      ["username", "text"],
      ["username_key", "text"],
      ["email", "text"],
      ["password_hash", "text"],
      ["first_name", "text"],
      ["last_name", "text"],
      ["phone_number", "text"],
      ["address", "text"],
      ["city", "text"],
      ["postal_code", "text"],
      ["country", "text"],
      ["is_staff", "boolean"],
      ["is_active", "boolean"],
      ["created_at", "timestamptz"],
    ],
    map: (row) => ({ ...row, username_key: usernameKey(String(row.username)) }),
  },
  {
    table: "categories",
    label: "categories",
    select: "SELECT id, name, description, created_at::text AS created_at FROM products_category ORDER BY id",
    columns: [
      ["id", "int"],
      ["name", "text"],
      ["description", "text"],
      ["created_at", "timestamptz"],
    ],
  },
  {
    table: "products",
    label: "products",
    select: `SELECT id, name, description, price::text AS price, stock, category_id,
      created_at::text AS created_at, updated_at::text AS updated_at FROM products_product ORDER BY id`,
    columns: [
      ["id", "int"],
      ["name", "text"],
      ["description", "text"],
      ["price", "numeric(10,2)"],
      ["stock", "int"],
      ["category_id", "int"],
      ["created_at", "timestamptz"],
      ["updated_at", "timestamptz"],
    ],
  },
  {
    table: "carts",
    label: "carts",
    select:
      "SELECT id, user_id, created_at::text AS created_at, updated_at::text AS updated_at FROM orders_cart ORDER BY id",
    columns: [
      ["id", "int"],
      ["user_id", "int"],
      ["created_at", "timestamptz"],
      ["updated_at", "timestamptz"],
    ],
  },
  {
    table: "cart_items",
    label: "cart items",
    select: "SELECT id, cart_id, product_id, quantity, added_at::text AS added_at FROM orders_cartitem ORDER BY id",
    columns: [
      ["id", "int"],
      ["cart_id", "int"],
      ["product_id", "int"],
      ["quantity", "int"],
      ["added_at", "timestamptz"],
    ],
  },
  {
    table: "orders",
    label: "orders",
    select: `SELECT id, user_id, status, total_price::text AS total_price, shipping_address, phone_number,
      created_at::text AS created_at, updated_at::text AS updated_at FROM orders_order ORDER BY id`,
    columns: [
      ["id", "int"],
      ["user_id", "int"],
      ["status", "text"],
      ["total_price", "numeric(10,2)"],
      ["shipping_address", "text"],
      ["phone_number", "text"],
      ["created_at", "timestamptz"],
      ["updated_at", "timestamptz"],
    ],
  },
  {
    table: "order_items",
    label: "order items",
    // Django's order item has no name of its own: the product's, which still exists (deleting a
    // product deleted its items), becomes the line's snapshot as our placement takes it.
    select: `SELECT i.id, i.order_id, i.product_id, p.name AS product_name, i.quantity, i.price::text AS price
      FROM orders_orderitem i JOIN products_product p ON p.id = i.product_id ORDER BY i.id`,
    columns: [
      ["id", "int"],
      ["order_id", "int"],
      ["product_id", "int"],
      ["product_name", "text"],
      ["quantity", "int"],
      ["price", "numeric(10,2)"],
    ],
  },
];

/** Our tables the import fills: the target must hold none of their rows, or exactly this import. */
export const FILLED = [...COPIES.map((c) => c.table), "order_status_history"];
