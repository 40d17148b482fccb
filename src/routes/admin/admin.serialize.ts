import * as z from "zod";
import { ORDER_STATUSES } from "../../db/schema";
import { count, id, money, page, timestamp } from "../../openapi/schemas";
import { Profile, User } from "../auth/auth.serialize";
import { Order } from "../orders/orders.serialize";
import { Product } from "../products/products.serialize";

/* What the staff console's routes answer (src/routes/admin, README "Staff console"). */

const status = z.enum(ORDER_STATUSES);
const account = { is_staff: z.boolean(), is_active: z.boolean(), date_joined: timestamp };

export const StaffMe = User.extend({ is_staff: z.literal(true) }).meta({ id: "StaffMe" });
export const CustomerSummary = User.extend({ ...account, orders_count: count }).meta({ id: "CustomerSummary" });
export const CustomerPage = page(CustomerSummary).meta({ id: "CustomerPage" });
export const Customer = Profile.extend({
  ...account,
  order_summary: z.object({
    count,
    total_spent: money.meta({ description: "Sum of the customer's orders that are not cancelled" }),
    last_order_at: timestamp.nullable(),
    by_status: z.record(status, count),
  }),
}).meta({ id: "Customer" });
export const StaffOrderSummary = z
  .object({
    id,
    status,
    total_price: money,
    items_count: count,
    created_at: timestamp,
    user: id,
    user_name: z.string(),
    email: z.string(),
  })
  .meta({ id: "StaffOrderSummary" });
export const StaffOrderPage = page(StaffOrderSummary).meta({ id: "StaffOrderPage" });
export const StatusChange = z
  .object({
    from_status: status.nullable().meta({ description: "null for the order's placement" }),
    to_status: status,
    changed_by: id.nullable(),
    changed_by_name: z.string().nullable(),
    changed_at: timestamp,
  })
  .meta({ id: "StatusChange" });
export const StaffOrder = Order.extend({
  email: z.string(),
  next_statuses: z.array(status),
  history: z.array(StatusChange),
}).meta({ id: "StaffOrder" });
export const OpenCartLine = z
  .object({
    product: id,
    product_name: z.string(),
    quantity: count,
    price: money,
    subtotal: money,
    added_at: timestamp,
  })
  .meta({ id: "OpenCartLine" });
export const OpenCart = z
  .object({
    id,
    user: id,
    user_name: z.string(),
    email: z.string(),
    items: z.array(OpenCartLine),
    item_count: count,
    total: money,
    opened_at: timestamp.meta({ description: "Its oldest line's" }),
    updated_at: timestamp,
  })
  .meta({ id: "OpenCart" });
export const OpenCartPage = page(OpenCart).meta({ id: "OpenCartPage" });
export const ArchivedProductPage = page(Product).meta({ id: "ArchivedProductPage" });
