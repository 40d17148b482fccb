import { type SQL, sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
/** Money is numeric(10,2) and travels as a decimal string, never a float. */
const money = (name: string) => numeric(name, { precision: 10, scale: 2, mode: "string" });
/** Only ever written by Postgres (a generated column) and read by its own operators; never selected. */
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * The text search configuration of the catalog (stems English words). The column below and every
 * query (src/lib/search.ts) must name the same one, or stems would not meet.
 */
export const SEARCH_CONFIG = "english";

export const ORDER_STATUSES = ["pending", "processing", "shipped", "delivered", "cancelled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const users = pgTable(
  "users",
  {
    id: serial("id").primaryKey(),
    username: varchar("username", { length: 150 }).notNull(),
    /** `usernameKey(username)` (src/lib/username.ts): what logins and uniqueness compare. */
    usernameKey: text("username_key").notNull(),
    email: varchar("email", { length: 254 }).notNull(),
    passwordHash: text("password_hash").notNull(),
    firstName: varchar("first_name", { length: 150 }).notNull().default(""),
    lastName: varchar("last_name", { length: 150 }).notNull().default(""),
    phoneNumber: varchar("phone_number", { length: 20 }).notNull().default(""),
    address: text("address").notNull().default(""),
    city: varchar("city", { length: 100 }).notNull().default(""),
    postalCode: varchar("postal_code", { length: 20 }).notNull().default(""),
    country: varchar("country", { length: 100 }).notNull().default(""),
    isStaff: boolean("is_staff").notNull().default(false),
    isActive: boolean("is_active").notNull().default(true),
    createdAt: createdAt(),
    /**
     * Names the user's notification hub. Random per row, so a user who reuses a deleted user's id
     * (after a reset or a restore) never reaches the earlier user's hub or its event history.
     */
    hubKey: uuid("hub_key").notNull().defaultRandom(),
  },
  (t) => [
    uniqueIndex("users_username_key_key").on(t.usernameKey),
    uniqueIndex("users_hub_key_key").on(t.hubKey),
    uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`),
    // The dashboard counts new customers per bucket over a range (routes/admin/stats.service.ts).
    index("users_created_idx").on(t.createdAt),
  ],
);

/** One row per login session; rotation replaces current_jti, reuse of an old jti revokes the row. */
export const tokenFamilies = pgTable(
  "token_families",
  {
    id: uuid("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    currentJti: uuid("current_jti").notNull(),
    createdAt: createdAt(),
    rotatedAt: timestamp("rotated_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("token_families_user_idx").on(t.userId)],
);

export const categories = pgTable(
  "categories",
  {
    id: serial("id").primaryKey(),
    name: varchar("name", { length: 100 }).notNull(),
    description: text("description").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("categories_name_lower_key").on(sql`lower(${t.name})`)],
);

export const products = pgTable(
  "products",
  {
    id: serial("id").primaryKey(),
    name: varchar("name", { length: 200 }).notNull(),
    description: text("description").notNull().default(""),
    price: money("price").notNull(),
    stock: integer("stock").notNull().default(0),
    categoryId: integer("category_id")
      .notNull()
      .references(() => categories.id, { onDelete: "restrict" }),
    isArchived: boolean("is_archived").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /** Name (weight A) and description (weight B) as stemmed words, for full-text search. */
    searchVector: tsvector("search_vector").generatedAlwaysAs(
      (): SQL =>
        sql`setweight(to_tsvector('${sql.raw(SEARCH_CONFIG)}', ${products.name}), 'A') || setweight(to_tsvector('${sql.raw(SEARCH_CONFIG)}', ${products.description}), 'B')`,
    ),
  },
  (t) => [
    check("products_price_positive", sql`${t.price} > 0`),
    check("products_stock_non_negative", sql`${t.stock} >= 0`),
    check("products_name_not_blank", sql`length(${t.name}) > 0`),
    // Partial indexes: the catalog only ever lists visible products.
    index("products_created_idx").on(t.createdAt.desc(), t.id.desc()).where(sql`NOT ${t.isArchived}`),
    index("products_category_created_idx")
      .on(t.categoryId, t.createdAt.desc(), t.id.desc())
      .where(sql`NOT ${t.isArchived}`),
    index("products_category_price_idx").on(t.categoryId, t.price, t.id).where(sql`NOT ${t.isArchived}`),
    index("products_price_idx").on(t.price, t.id).where(sql`NOT ${t.isArchived}`),
    index("products_name_idx").on(t.name, t.id).where(sql`NOT ${t.isArchived}`),
    index("products_stock_idx").on(t.stock, t.id).where(sql`NOT ${t.isArchived}`),
    index("products_search_idx").using("gin", t.searchVector).where(sql`NOT ${t.isArchived}`),
    // pg_trgm (migrations/0004_pg-trgm.sql): typo-tolerant matching of names when full-text finds nothing.
    index("products_name_trgm_idx").using("gin", t.name.op("gin_trgm_ops")).where(sql`NOT ${t.isArchived}`),
  ],
);

export const carts = pgTable("carts", {
  id: serial("id").primaryKey(),
  userId: integer("user_id")
    .notNull()
    .unique("carts_user_key")
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const cartItems = pgTable(
  "cart_items",
  {
    id: serial("id").primaryKey(),
    cartId: integer("cart_id")
      .notNull()
      .references(() => carts.id, { onDelete: "cascade" }),
    productId: integer("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    quantity: integer("quantity").notNull(),
    addedAt: timestamp("added_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    unique("cart_items_cart_product_key").on(t.cartId, t.productId),
    check("cart_items_quantity_positive", sql`${t.quantity} > 0`),
  ],
);

export const orders = pgTable(
  "orders",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    status: varchar("status", { length: 20, enum: ORDER_STATUSES }).notNull().default("pending"),
    totalPrice: money("total_price").notNull(),
    shippingAddress: text("shipping_address").notNull(),
    phoneNumber: varchar("phone_number", { length: 20 }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("orders_status_valid", sql`${t.status} IN ('pending','processing','shipped','delivered','cancelled')`),
    check("orders_total_non_negative", sql`${t.totalPrice} >= 0`),
    index("orders_user_created_idx").on(t.userId, t.createdAt.desc()),
    index("orders_status_created_idx").on(t.status, t.createdAt.desc()),
    index("orders_created_idx").on(t.createdAt.desc()),
  ],
);

export const orderItems = pgTable(
  "order_items",
  {
    id: serial("id").primaryKey(),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    // Products that appear in orders are archived, never deleted; SET NULL is a last resort.
    productId: integer("product_id").references(() => products.id, { onDelete: "set null" }),
    productName: varchar("product_name", { length: 200 }).notNull(),
    quantity: integer("quantity").notNull(),
    price: money("price").notNull(),
  },
  (t) => [
    check("order_items_quantity_positive", sql`${t.quantity} > 0`),
    check("order_items_price_positive", sql`${t.price} > 0`),
    index("order_items_order_idx").on(t.orderId),
    index("order_items_product_idx").on(t.productId),
  ],
);

export const orderStatusHistory = pgTable(
  "order_status_history",
  {
    id: serial("id").primaryKey(),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    fromStatus: varchar("from_status", { length: 20, enum: ORDER_STATUSES }),
    toStatus: varchar("to_status", { length: 20, enum: ORDER_STATUSES }).notNull(),
    changedBy: integer("changed_by").references(() => users.id, { onDelete: "set null" }),
    changedAt: timestamp("changed_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("order_status_history_order_idx").on(t.orderId, t.id)],
);

/** Outbox: written in the order's transaction, delivered to the user's Durable Object after commit. */
export const orderEvents = pgTable(
  "order_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    orderId: integer("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    type: varchar("type", { length: 20, enum: ["order_created", "order_update"] }).notNull(),
    status: varchar("status", { length: 20, enum: ORDER_STATUSES }).notNull(),
    createdAt: createdAt(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true, mode: "date" }),
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [index("order_events_undelivered_idx").on(t.id).where(sql`${t.deliveredAt} IS NULL`)],
);

export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: varchar("key", { length: 255 }).notNull(),
    requestHash: text("request_hash").notNull(),
    statusCode: integer("status_code").notNull(),
    response: jsonb("response").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

/**
 * One row per committed `npm run import:django` (scripts/import-django.ts): the source's data as
 * it was read, so a second run from the same data changes nothing and any other data is refused.
 */
export const djangoImports = pgTable("django_imports", {
  id: serial("id").primaryKey(),
  /** A digest of every imported row of the source, table by table. */
  fingerprint: text("fingerprint").notNull().unique("django_imports_fingerprint_key"),
  /** Host and database of the source, never its credentials. */
  source: text("source").notNull(),
  /** Rows copied per table. */
  counts: jsonb("counts").notNull(),
  importedAt: timestamp("imported_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** What a webhook endpoint may subscribe to (README "Webhooks"); `webhook.test` is sent on request only. */
export const WEBHOOK_EVENTS = [
  "order.created",
  "order.status_changed",
  "order.cancelled",
  "product.stock_low",
  "product.out_of_stock",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number] | "webhook.test";

export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: serial("id").primaryKey(),
    url: varchar("url", { length: 2000 }).notNull(),
    description: varchar("description", { length: 200 }).notNull().default(""),
    events: text("events").array().notNull(),
    isActive: boolean("is_active").notNull().default(true),
    followRedirects: boolean("follow_redirects").notNull().default(false),
    /** Standard Webhooks secrets (`whsec_...`); the previous one still signs until it expires. */
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true, mode: "date" }),
    /** The first failure since the last success; an endpoint failing for a day is disabled. */
    failingSince: timestamp("failing_since", { withTimezone: true, mode: "date" }),
    disabledReason: text("disabled_reason"),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true, mode: "date" }),
    lastStatusCode: integer("last_status_code"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("webhook_endpoints_events_idx").using("gin", t.events).where(sql`${t.isActive}`)],
);

/** One event, as every endpoint receives it: the payload is the order's or product's snapshot when it happened. */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** The `webhook-id` every delivery and retry of the event carries. */
    publicId: uuid("public_id").notNull().unique().defaultRandom(),
    type: varchar("type", { length: 40 }).notNull(),
    payload: jsonb("payload").notNull(),
    createdAt: createdAt(),
  },
  // The sweep removes events past their retention, oldest first (src/webhooks/fanout.ts).
  (t) => [index("webhook_events_created_idx").on(t.createdAt)],
);

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;

/** One event for one endpoint: a message on the queue, retried until delivered or given up. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    eventId: bigint("event_id", { mode: "number" })
      .notNull()
      .references(() => webhookEvents.id, { onDelete: "cascade" }),
    endpointId: integer("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    status: varchar("status", { length: 20, enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** When it last went on the queue; null until it has (the sweep enqueues what commit-time fan-out missed). */
    enqueuedAt: timestamp("enqueued_at", { withTimezone: true, mode: "date" }),
    /** When the queue should next hand it to the consumer; long past while still pending means the message was lost. */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [
    unique("webhook_deliveries_event_endpoint_key").on(t.eventId, t.endpointId),
    index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.id.desc()),
    index("webhook_deliveries_unsent_idx").on(t.id).where(sql`${t.enqueuedAt} IS NULL`),
    index("webhook_deliveries_pending_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

/** Every attempt at a delivery, for the delivery log. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deliveryId: bigint("delivery_id", { mode: "number" })
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId, t.id)],
);
