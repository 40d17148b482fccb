import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { validate } from "../../lib/validate";
import { requireAuth } from "../../middleware/auth";
import { doc, type RouteDoc } from "../../openapi/describe";
import { addItemBody, removeItemQuery, updateItemBody } from "./cart.schemas";
import { Cart, CartChanged } from "./cart.serialize";
import { addToCart, cartJson, clearCart, ensureCart, existingCartId, removeItem, updateItem } from "./cart.service";

const change = (summary: string, more: Partial<RouteDoc> = {}) =>
  doc({
    tag: "cart",
    summary,
    ok: { status: 200, description: "The cart after the change", schema: CartChanged },
    ...more,
  });

/** `/cart/...` under `/api/orders`: one cart per user, made on first use (never by a refused request). */
const cart = new Hono<AppEnv>()
  .get(
    "/cart",
    doc({
      tag: "cart",
      summary: "Your cart (made on first use)",
      ok: { status: 200, description: "The cart", schema: Cart },
    }),
    requireAuth(),
    async (c) => {
      const { id } = await ensureCart(c.var.db, c.var.user.id);
      return c.json(await cartJson(c.var.db, id), 200);
    },
  )
  .post(
    "/cart/add_item",
    change("Add a product (adds to the quantity of a line already there)", {
      description:
        'More than the stock: `400 {"quantity": ["Only N items available"]}`; unknown or archived product: 400 on `product_id`.',
    }),
    requireAuth(),
    validate("json", addItemBody),
    async (c) => {
      const { product_id, quantity } = c.req.valid("json");
      const id = await addToCart(c.var.db, c.var.user.id, product_id, quantity);
      return c.json({ message: "Item added to cart successfully", cart: await cartJson(c.var.db, id) }, 200);
    },
  )
  .put(
    "/cart/update_item",
    change("Set a line's quantity (0 removes it)", { errors: [404] }),
    requireAuth(),
    validate("json", updateItemBody),
    async (c) => {
      const { item_id, quantity } = c.req.valid("json");
      const id = await existingCartId(c.var.db, c.var.user.id);
      await updateItem(c.var.db, id, item_id, quantity);
      return c.json({ message: "Cart updated", cart: await cartJson(c.var.db, id) }, 200);
    },
  )
  .delete(
    "/cart/remove_item",
    change("Remove a line", { errors: [404] }),
    requireAuth(),
    validate("query", removeItemQuery),
    async (c) => {
      const { item_id } = c.req.valid("query");
      const id = await existingCartId(c.var.db, c.var.user.id);
      await removeItem(c.var.db, id, item_id);
      return c.json({ message: "Item removed from cart", cart: await cartJson(c.var.db, id) }, 200);
    },
  )
  .delete("/cart/clear", change("Empty the cart"), requireAuth(), async (c) => {
    const { id } = await ensureCart(c.var.db, c.var.user.id);
    await clearCart(c.var.db, id);
    return c.json({ message: "Cart cleared", cart: await cartJson(c.var.db, id) }, 200);
  });

export default cart;
