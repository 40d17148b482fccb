import * as z from "zod";
import { ORDER_STATUSES } from "../db/schema";
import { adminOrdersQuery, customersQuery } from "../routes/admin/admin.schemas";
import { Order, Profile, User, components } from "./responses";
import type { ApiRoute } from "./route";

/* The staff console's routes (src/routes/admin, README "Staff console"). */

const named = <T extends z.ZodType>(id: string, schema: T): T => {
  components.add(schema, { id });
  return schema;
};

const id = z.int().positive();
const money = z.string().regex(/^-?\d+\.\d{2}$/);
const timestamp = z.iso.datetime();
const status = z.enum(ORDER_STATUSES);
const page = <T extends z.ZodType>(item: T) =>
  z.object({ count: z.int().nonnegative(), next: z.url().nullable(), previous: z.url().nullable(), results: z.array(item) });

export const StaffMe = named("StaffMe", User.extend({ is_staff: z.literal(true) }));
const account = { is_staff: z.boolean(), is_active: z.boolean(), date_joined: timestamp };
export const CustomerSummary = named(
  "CustomerSummary",
  User.extend({ ...account, orders_count: z.int().nonnegative() }),
);
export const CustomerPage = named("CustomerPage", page(CustomerSummary));
export const Customer = named(
  "Customer",
  Profile.extend({
    ...account,
    order_summary: z.object({
      count: z.int().nonnegative(),
      total_spent: money.meta({ description: "Sum of the customer's orders that are not cancelled" }),
      last_order_at: timestamp.nullable(),
      by_status: z.record(status, z.int().nonnegative()),
    }),
  }),
);
export const StaffOrderSummary = named(
  "StaffOrderSummary",
  z.object({
    id,
    status,
    total_price: money,
    items_count: z.int().nonnegative(),
    created_at: timestamp,
    user: id,
    user_name: z.string(),
    email: z.string(),
  }),
);
export const StaffOrderPage = named("StaffOrderPage", page(StaffOrderSummary));
export const StatusChange = named(
  "StatusChange",
  z.object({
    from_status: status.nullable().meta({ description: "null for the order's placement" }),
    to_status: status,
    changed_by: id.nullable(),
    changed_by_name: z.string().nullable(),
    changed_at: timestamp,
  }),
);
export const StaffOrder = named(
  "StaffOrder",
  Order.extend({ email: z.string(), next_statuses: z.array(status), history: z.array(StatusChange) }),
);

const search = "Case-insensitive; every word must match the username, email, first or last name";

export const adminPaths: ApiRoute[] = [
  {
    method: "get", path: "/api/admin/me", tag: "admin", summary: "Who is signed in, if staff", access: "staff",
    description: "The staff console calls this after signing in: customers get 403 (the contract's user JSON has no `is_staff`).",
    ok: { status: 200, description: "The staff user", schema: StaffMe },
  },
  {
    method: "get", path: "/api/admin/customers", tag: "admin", summary: "List accounts, newest first (paginated)", access: "staff",
    query: customersQuery, errors: [404], params: { search },
    ok: { status: 200, description: "One page of accounts with their order counts", schema: CustomerPage },
  },
  {
    method: "get", path: "/api/admin/customers/:id{[0-9]+}", tag: "admin", summary: "One account's profile and order summary", access: "staff",
    description: "Read-only. The account's orders are listed by `GET /api/admin/orders/?user=<id>`.",
    ok: { status: 200, description: "The account", schema: Customer },
  },
  {
    method: "get", path: "/api/admin/orders", tag: "admin", summary: "List every order with its customer, newest first (paginated)", access: "staff",
    query: adminOrdersQuery, errors: [404],
    params: { status: "Only orders in this status", search, user: "Only this user's orders (an unknown id is a 400)" },
    ok: { status: 200, description: "One page of orders", schema: StaffOrderPage },
  },
  {
    method: "get", path: "/api/admin/orders/:id{[0-9]+}", tag: "admin", summary: "One order with its customer's email, allowed next statuses and status history", access: "staff",
    ok: { status: 200, description: "The order", schema: StaffOrder },
  },
];
