import * as z from "zod";
import { addItemBody, removeItemQuery, updateItemBody } from "../routes/orders/cart.schemas";
import { listOrdersQuery, placeOrderBody, updateStatusBody } from "../routes/orders/orders.schemas";
import { Cart, CartChanged, Detail, FieldErrors, OrderChanged, OrderPage, Order, OutOfStock } from "./responses";
import type { ApiRoute } from "./route";

const ORDER = "/api/orders/:id{[0-9]+}";

const cartChange = (method: ApiRoute["method"], path: string, summary: string, extra: Partial<ApiRoute>): ApiRoute => ({
  method, path: `/api/orders/cart/${path}`, tag: "cart", summary, access: "user",
  ok: { status: 200, description: "The cart after the change", schema: CartChanged },
  ...extra,
});

export const orderPaths: ApiRoute[] = [
  {
    method: "get", path: "/api/orders/cart", tag: "cart", summary: "Your cart (made on first use)", access: "user",
    ok: { status: 200, description: "The cart", schema: Cart },
  },
  cartChange("post", "add_item", "Add a product (adds to the quantity of a line already there)", {
    body: addItemBody,
    description: 'More than the stock: `400 {"quantity": ["Only N items available"]}`; unknown or archived product: 400 on `product_id`.',
  }),
  cartChange("put", "update_item", "Set a line's quantity (0 removes it)", { body: updateItemBody, errors: [404] }),
  cartChange("delete", "remove_item", "Remove a line", { query: removeItemQuery, params: { item_id: "Id of the line in your cart" }, errors: [404] }),
  cartChange("delete", "clear", "Empty the cart", {}),
  {
    method: "get", path: "/api/orders", tag: "orders", summary: "List orders, newest first (paginated)", access: "user",
    description: "Customers see their own orders; staff see everyone's and may filter by `user`.",
    query: listOrdersQuery, errors: [404],
    params: { status: "Only orders in this status", user: "Staff only: orders of this user id" },
    ok: { status: 200, description: "One page of order summaries", schema: OrderPage },
  },
  {
    method: "post", path: "/api/orders", tag: "orders", summary: "Place your cart as an order", access: "user",
    description:
      "One transaction: stock is decremented for every line or for none, prices are snapshotted, the cart is emptied. " +
      "With an `Idempotency-Key`, a repeat of the same request answers the original order (header `Idempotent-Replayed: true`).",
    body: placeOrderBody, errors: [422],
    headers: [{ name: "Idempotency-Key", description: "1 to 255 characters; the same key from the same user places at most one order." }],
    ok: { status: 201, description: "Placed", schema: OrderChanged },
    responses: {
      400: {
        description: "Invalid fields, an empty cart (`Cart is empty`), or a line out of stock (nothing changes)",
        schema: z.union([FieldErrors, Detail, OutOfStock]),
      },
    },
  },
  {
    method: "get", path: ORDER, tag: "orders", summary: "One order (owner or staff; anyone else gets 404)", access: "user",
    ok: { status: 200, description: "The order", schema: Order },
  },
  ...(["put", "patch", "delete"] as const).map(
    (method): ApiRoute => ({
      method, path: ORDER, tag: "orders", summary: "Not allowed: orders cannot be edited or deleted", access: "anyone",
      notServed: true, noDb: true,
      ok: { status: 405, description: 'Always `{"detail": "Method \\"X\\" not allowed."}`', schema: Detail },
    }),
  ),
  {
    method: "patch", path: `${ORDER}/update_status`, tag: "orders", summary: "Move an order to another status", access: "staff",
    description:
      "`pending → processing | shipped | cancelled`, `processing → shipped | cancelled`, `shipped → delivered`. " +
      "An unknown status is a 400 listing the valid ones; a move outside this graph is a 409. Cancelling restores stock.",
    body: updateStatusBody, errors: [409],
    ok: { status: 200, description: "Moved", schema: OrderChanged },
  },
  {
    method: "post", path: `${ORDER}/cancel`, tag: "orders", summary: "Cancel an order and restore its stock", access: "user",
    description: "The owner may cancel while the order is `pending`; staff may cancel any order the status graph allows.",
    errors: [409],
    ok: { status: 200, description: "Cancelled", schema: OrderChanged },
  },
];
