import * as z from "zod";
import { ORDER_STATUSES } from "../../db/schema";
import { count, id, money, page, timestamp } from "../../openapi/schemas";

const status = z.enum(ORDER_STATUSES);

export const OrderItem = z
  .object({
    id,
    product: id.nullable(),
    product_name: z.string(),
    quantity: z.int().positive(),
    price: money,
    subtotal: money,
  })
  .meta({ id: "OrderItem" });
export const Order = z
  .object({
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
  })
  .meta({ id: "Order" });
export const OrderChanged = z.object({ message: z.string(), order: Order }).meta({ id: "OrderChanged" });
export const OrderSummary = z
  .object({ id, status, total_price: money, items_count: count, created_at: timestamp })
  .meta({ id: "OrderSummary" });
export const OrderPage = page(OrderSummary).meta({ id: "OrderPage" });
export const OutOfStock = z.object({ detail: z.string(), product_id: id }).meta({ id: "OutOfStock" });

export type OrderDetail = z.infer<typeof Order>;

type OrderSummaryRow = {
  id: number;
  status: z.infer<typeof status>;
  totalPrice: string;
  createdAt: Date;
  itemsCount: number;
};

/** The contract's order list row: `{id, status, total_price, items_count, created_at}`. */
export const orderSummaryJson = (r: OrderSummaryRow): z.infer<typeof OrderSummary> => ({
  id: r.id,
  status: r.status,
  total_price: r.totalPrice,
  items_count: r.itemsCount,
  created_at: r.createdAt.toISOString(),
});
