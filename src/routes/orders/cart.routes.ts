import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { validate } from "../../lib/validate";
import { requireAuth } from "../../middleware/auth";
import { addItemBody, removeItemQuery, updateItemBody } from "./cart.schemas";
import { addToCart, cartJson, clearCart, ensureCart, existingCartId, removeItem, updateItem } from "./cart.service";

/** `/cart/...` under `/api/orders`: one cart per user, made on first use (never by a refused request). */
const cart = new Hono<AppEnv>()
  .get("/cart", requireAuth(), async (c) => {
    const { id } = await ensureCart(c.var.db, c.var.user.id);
    return c.json(await cartJson(c.var.db, id), 200);
  })
  .post("/cart/add_item", requireAuth(), validate("json", addItemBody), async (c) => {
    const { product_id, quantity } = c.req.valid("json");
    const id = await addToCart(c.var.db, c.var.user.id, product_id, quantity);
    return c.json({ message: "Item added to cart successfully", cart: await cartJson(c.var.db, id) }, 200);
  })
  .put("/cart/update_item", requireAuth(), validate("json", updateItemBody), async (c) => {
    const { item_id, quantity } = c.req.valid("json");
    const id = await existingCartId(c.var.db, c.var.user.id);
    await updateItem(c.var.db, id, item_id, quantity);
    return c.json({ message: "Cart updated", cart: await cartJson(c.var.db, id) }, 200);
  })
  .delete("/cart/remove_item", requireAuth(), validate("query", removeItemQuery), async (c) => {
    const { item_id } = c.req.valid("query");
    const id = await existingCartId(c.var.db, c.var.user.id);
    await removeItem(c.var.db, id, item_id);
    return c.json({ message: "Item removed from cart", cart: await cartJson(c.var.db, id) }, 200);
  })
  .delete("/cart/clear", requireAuth(), async (c) => {
    const { id } = await ensureCart(c.var.db, c.var.user.id);
    await clearCart(c.var.db, id);
    return c.json({ message: "Cart cleared", cart: await cartJson(c.var.db, id) }, 200);
  });

export default cart;
