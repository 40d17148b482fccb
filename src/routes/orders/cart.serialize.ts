import * as z from "zod";
import { count, id, money, timestamp } from "../../openapi/schemas";
import { Product } from "../products/products.serialize";

export const CartItem = z
  .object({ id, product: Product, quantity: z.int().positive(), subtotal: money, added_at: timestamp })
  .meta({ id: "CartItem" });
export const Cart = z
  .object({
    id,
    cart_items: z.array(CartItem),
    total: money,
    item_count: count,
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: "Cart" });
export const CartChanged = z.object({ message: z.string(), cart: Cart }).meta({ id: "CartChanged" });

export type CartJson = z.infer<typeof Cart>;
