import * as z from "zod";
import { ORDER_STATUSES } from "../db/schema";

/*
 * What the routes answer, as zod schemas. Each is registered under a component name, so the
 * document refers to it as `#/components/schemas/<name>` instead of repeating it.
 */
export const components = z.registry<{ id: string }>();

const named = <T extends z.ZodType>(id: string, schema: T): T => {
  components.add(schema, { id });
  return schema;
};

const money = z.string().regex(/^-?\d+\.\d{2}$/).meta({ description: "Decimal string with two places, e.g. \"1299.99\"." });
const timestamp = z.iso.datetime();
const id = z.int().positive();
const status = z.enum(ORDER_STATUSES);
const url = z.url().nullable();

export const Detail = named("Detail", z.object({ detail: z.string() }));
export const FieldErrors = named(
  "FieldErrors",
  z.record(z.string(), z.array(z.string())).meta({
    description: 'DRF validation errors: `{"<field>": ["message", ...]}`, `non_field_errors` for cross-field ones.',
  }),
);
export const TokenNotValid = named("TokenNotValid", z.object({ detail: z.string(), code: z.literal("token_not_valid") }));
export const OutOfStock = named("OutOfStock", z.object({ detail: z.string(), product_id: id }));

export const User = named("User", z.object({ id, username: z.string(), email: z.string(), first_name: z.string(), last_name: z.string() }));
export const Profile = named(
  "Profile",
  User.extend({
    phone_number: z.string(),
    address: z.string(),
    city: z.string(),
    postal_code: z.string(),
    country: z.string(),
  }),
);
export const Tokens = named("Tokens", z.object({ refresh: z.string(), access: z.string() }));
export const AuthResult = named("AuthResult", z.object({ message: z.string(), user: User, tokens: Tokens }));
export const ProfileUpdated = named("ProfileUpdated", z.object({ message: z.string(), profile: Profile }));

export const Category = named(
  "Category",
  z.object({ id, name: z.string(), description: z.string(), products_count: z.int().nonnegative(), created_at: timestamp }),
);
export const CategoryList = named("CategoryList", z.array(Category));
const productFields = {
  id,
  name: z.string(),
  description: z.string(),
  price: money,
  stock: z.int().nonnegative(),
  category_name: z.string(),
  in_stock: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
};
export const Product = named("Product", z.object({ ...productFields, category: id }));
export const ProductList = named("ProductList", z.array(Product));
export const ProductDetail = named("ProductDetail", z.object({ ...productFields, category: Category }));

const page = <T extends z.ZodType>(item: T) => z.object({ count: z.int().nonnegative(), next: url, previous: url, results: z.array(item) });
export const ProductPage = named("ProductPage", page(Product));

export const CartItem = named(
  "CartItem",
  z.object({ id, product: Product, quantity: z.int().positive(), subtotal: money, added_at: timestamp }),
);
export const Cart = named(
  "Cart",
  z.object({ id, cart_items: z.array(CartItem), total: money, item_count: z.int().nonnegative(), created_at: timestamp, updated_at: timestamp }),
);
export const CartChanged = named("CartChanged", z.object({ message: z.string(), cart: Cart }));

export const OrderSummary = named(
  "OrderSummary",
  z.object({ id, status, total_price: money, items_count: z.int().nonnegative(), created_at: timestamp }),
);
export const OrderPage = named("OrderPage", page(OrderSummary));
export const OrderItem = named(
  "OrderItem",
  z.object({ id, product: id.nullable(), product_name: z.string(), quantity: z.int().positive(), price: money, subtotal: money }),
);
export const Order = named(
  "Order",
  z.object({
    id,
    user: id,
    user_name: z.string(),
    status,
    total_price: money,
    shipping_address: z.string(),
    phone_number: z.string(),
    items: z.array(OrderItem),
    created_at: timestamp,
    updated_at: timestamp,
  }),
);
export const OrderChanged = named("OrderChanged", z.object({ message: z.string(), order: Order }));

export const Health = named(
  "Health",
  z.object({ status: z.enum(["ok", "degraded"]), db: z.enum(["ok", "down"]), cache: z.enum(["ok", "down", "off"]), version: z.string() }),
);
export const ApiRoot = named("ApiRoot", z.record(z.string(), z.url()));

/* WebSocket messages, for the notification endpoints' descriptions. */
const event = { order_id: id, status, message: z.string(), seq: z.int().positive(), at: timestamp };
export const ConnectionEstablished = named(
  "WsConnectionEstablished",
  z.object({ type: z.literal("connection_established"), message: z.string() }),
);
export const OrderUpdateMessage = named("WsOrderUpdate", z.object({ type: z.literal("order_update"), ...event, user_id: id.optional() }));
export const OrderCreatedMessage = named("WsOrderCreated", z.object({ type: z.literal("order_created"), ...event, user_id: id }));
export const ReplayTruncated = named(
  "WsReplayTruncated",
  z.object({ type: z.literal("replay_truncated"), oldest_seq: z.int().nonnegative(), message: z.string() }),
);
export const SocketError = named("WsError", z.object({ type: z.literal("error"), message: z.string(), received: z.string() }));
