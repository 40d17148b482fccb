import type { BatchItem } from "drizzle-orm/batch";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../context";
import { notFound } from "../../lib/errors";
import { INT4_MAX } from "../../lib/fields";
import { validate } from "../../lib/validate";
import { authorized, requireAuth } from "../../middleware/auth";
import { doc, type RouteDoc } from "../../openapi/describe";
import { addItemBody, removeItemQuery, updateItemBody } from "./cart.schemas";
import { Cart, CartChanged } from "./cart.serialize";
import {
  added,
  addItemQuery,
  cartJson,
  cartQuery,
  clearCartQuery,
  ensureCartQuery,
  removeItemQuery as removeLine,
  updated,
  updateItemQuery,
} from "./cart.service";

const change = (summary: string, more: Partial<RouteDoc> = {}) =>
  doc({
    tag: "cart",
    summary,
    ok: { status: 200, description: "The cart after the change", schema: CartChanged },
    ...more,
  });

/** The cart as `cartQuery` read it in the same batch; a change that found no cart of the caller's is a 404. */
const cartOf = (rows: Parameters<typeof cartJson>[0]) => {
  const cart = cartJson(rows);
  if (!cart) throw notFound();
  return cart;
};

/** Item ids beyond int4 name no line: a 404 that never reaches Postgres. */
const lineId = (id: number) => {
  if (id < 1 || id > INT4_MAX) throw notFound();
  return id;
};

const me = (c: Context<AppEnv>) => c.var.session.userId;

/** Every cart route answers the cart as its write left it: the write(s), then the cart, in one batch. */
const thenCart = <W extends BatchItem<"pg">[]>(c: Context<AppEnv>, ...writes: W) =>
  authorized(c, ...writes, cartQuery(c.var.db, me(c)));

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
      const [, rows] = await thenCart(c, ensureCartQuery(c.var.db, me(c)));
      return c.json(cartOf(rows), 200);
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
      const attempt = () => thenCart(c, addItemQuery(c.var.db, me(c), product_id, quantity));
      let [result, rows] = await attempt();
      // A concurrent first add was making the cart at that moment: it exists now.
      if (!added(result, product_id, quantity)) [result, rows] = await attempt();
      if (!added(result, product_id, quantity)) throw new Error("cart neither found nor made");
      return c.json({ message: "Item added to cart successfully", cart: cartOf(rows) }, 200);
    },
  )
  .put(
    "/cart/update_item",
    change("Set a line's quantity (0 removes it)", { errors: [404] }),
    requireAuth(),
    validate("json", updateItemBody),
    async (c) => {
      const { item_id, quantity } = c.req.valid("json");
      const [result, rows] = await thenCart(c, updateItemQuery(c.var.db, me(c), lineId(item_id), quantity));
      updated(result);
      return c.json({ message: "Cart updated", cart: cartOf(rows) }, 200);
    },
  )
  .delete(
    "/cart/remove_item",
    change("Remove a line", { errors: [404] }),
    requireAuth(),
    validate("query", removeItemQuery),
    async (c) => {
      const { item_id } = c.req.valid("query");
      const [removed, rows] = await thenCart(c, removeLine(c.var.db, me(c), lineId(item_id)));
      if (!removed.rows.length) throw notFound();
      return c.json({ message: "Item removed from cart", cart: cartOf(rows) }, 200);
    },
  )
  .delete("/cart/clear", change("Empty the cart"), requireAuth(), async (c) => {
    const [, , rows] = await thenCart(c, ensureCartQuery(c.var.db, me(c)), clearCartQuery(c.var.db, me(c)));
    return c.json({ message: "Cart cleared", cart: cartOf(rows) }, 200);
  });

export default cart;
