import { and, asc, eq, not, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { cartItems, carts, categories, products } from "../../db/schema";
import { fieldError, notFound } from "../../lib/errors";
import { missingPk } from "../../lib/fields";
import { productColumns, productJson } from "../products/products.serialize";
import type { CartJson } from "./cart.serialize";

/*
 * Every cart route is one round trip: a batch (one transaction) of the session check, the change
 * as one statement, and `cartQuery`, which then already sees the change. A change that is
 * refused writes nothing; the cart is read anyway, and thrown away.
 */

/** The caller's cart and its visible lines, in one statement. Money is multiplied and summed by Postgres. */
export function cartQuery(db: Db, userId: number) {
  const lines = db
    .select({
      ...productColumns,
      // Aliased: the subquery's columns need names of their own (products and categories both have `name`).
      categoryName: sql<string>`${categories.name}`.as("category_name"),
      itemId: sql<number>`${cartItems.id}`.as("item_id"),
      cartId: cartItems.cartId,
      quantity: cartItems.quantity,
      addedAt: cartItems.addedAt,
      subtotal: sql<string>`${products.price} * ${cartItems.quantity}`.as("subtotal"),
    })
    .from(cartItems)
    // Archived products have left the catalog: like the seed's cascade delete, they leave the cart view.
    .innerJoin(products, and(eq(products.id, cartItems.productId), not(products.isArchived)))
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .as("lines");
  const line = {
    id: lines.id,
    name: lines.name,
    description: lines.description,
    price: lines.price,
    stock: lines.stock,
    categoryId: lines.categoryId,
    categoryName: lines.categoryName,
    createdAt: lines.createdAt,
    updatedAt: lines.updatedAt,
    itemId: lines.itemId,
    quantity: lines.quantity,
    addedAt: lines.addedAt,
    subtotal: lines.subtotal,
  };
  return db
    .select({ cart: carts, line, total: sql<string | null>`sum(${lines.subtotal}) over ()` })
    .from(carts)
    .leftJoin(lines, eq(lines.cartId, carts.id))
    .where(eq(carts.userId, userId))
    .orderBy(asc(lines.addedAt), asc(lines.itemId));
}

type CartRows = Awaited<ReturnType<typeof cartQuery>>;

/** The contract's cart JSON from `cartQuery`'s rows; null when the caller has no cart. */
export function cartJson(rows: CartRows): CartJson | null {
  const cart = rows[0]?.cart;
  if (!cart) return null;
  const lines = rows.flatMap((r) => (r.line ? [r.line] : []));
  return {
    id: cart.id,
    cart_items: lines.map((l) => ({
      id: l.itemId,
      product: productJson(l),
      quantity: l.quantity,
      subtotal: l.subtotal,
      added_at: l.addedAt.toISOString(),
    })),
    total: rows[0]?.total ?? "0.00",
    // Quantities are integers, so adding them in JS is exact.
    item_count: lines.reduce((n, l) => n + l.quantity, 0),
    created_at: cart.createdAt.toISOString(),
    updated_at: cart.updatedAt.toISOString(),
  };
}

/** The cart made on first use; the unique user_id settles two first requests racing. */
export const ensureCartQuery = (db: Db, userId: number) =>
  db.execute(sql`INSERT INTO carts (user_id) VALUES (${userId}::int) ON CONFLICT (user_id) DO NOTHING`);

const theCart = (userId: number) => sql`(SELECT id FROM carts WHERE user_id = ${userId}::int)`;

const invalidProduct = (id: number) => fieldError("product_id", missingPk(id));
const tooMany = (stock: number) => fieldError("quantity", `Only ${stock} items available`);

/**
 * Adds to a line's quantity, making the cart on first use, in one statement. The upsert only
 * applies when the resulting quantity fits the stock, so a refused add changes nothing (and
 * makes no cart) and two adds cannot race past the stock.
 */
export const addItemQuery = (db: Db, userId: number, productId: number, quantity: number) =>
  db.execute<{ stock: number | null; quantity: number | null; has_cart: boolean }>(sql`
    WITH product AS (SELECT id, stock FROM products WHERE id = ${productId}::int AND NOT is_archived),
    existing AS ${theCart(userId)},
    made AS (
      INSERT INTO carts (user_id) SELECT ${userId}::int FROM product
      WHERE stock >= ${quantity}::int AND NOT EXISTS (SELECT 1 FROM existing)
      ON CONFLICT (user_id) DO NOTHING RETURNING id),
    cart AS (SELECT id FROM existing UNION ALL SELECT id FROM made),
    saved AS (
      INSERT INTO cart_items (cart_id, product_id, quantity)
      SELECT cart.id, product.id, ${quantity}::int FROM cart, product WHERE product.stock >= ${quantity}::int
      ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = cart_items.quantity + excluded.quantity
        WHERE cart_items.quantity::bigint + excluded.quantity <= (SELECT stock FROM product)
      RETURNING quantity),
    touched AS (UPDATE carts SET updated_at = now() WHERE id IN (SELECT id FROM existing) AND EXISTS (SELECT 1 FROM saved))
    SELECT (SELECT stock FROM product) AS stock, (SELECT quantity FROM saved) AS quantity, EXISTS (SELECT 1 FROM cart) AS has_cart`);

/**
 * What an add answered: throws the contract's 400 when it was refused; false when the caller's
 * first cart was being made by a concurrent request at that moment (try again: it exists now).
 */
export function added(
  result: { rows: { stock: number | null; quantity: number | null; has_cart: boolean }[] },
  productId: number,
  quantity: number,
): boolean {
  const row = result.rows[0];
  if (row?.stock == null) throw invalidProduct(productId);
  if (row.quantity != null) return true;
  if (!row.has_cart && row.stock >= quantity) return false;
  throw tooMany(row.stock);
}

/** Sets a line's quantity (0 removes it); the stock check and the write are one statement. */
export const updateItemQuery = (db: Db, userId: number, itemId: number, quantity: number) =>
  db.execute<{ stock: number | null; changed: boolean }>(sql`
    WITH line AS (
      SELECT ci.id, p.stock FROM cart_items ci JOIN products p ON p.id = ci.product_id
      WHERE ci.id = ${itemId}::int AND ci.cart_id = ${theCart(userId)} AND NOT p.is_archived),
    removed AS (DELETE FROM cart_items WHERE ${quantity}::int = 0 AND id IN (SELECT id FROM line) RETURNING id),
    updated AS (
      UPDATE cart_items SET quantity = ${quantity}::int
      WHERE ${quantity}::int > 0 AND id IN (SELECT id FROM line WHERE stock >= ${quantity}::int) RETURNING id),
    touched AS (
      UPDATE carts SET updated_at = now()
      WHERE user_id = ${userId}::int AND EXISTS (SELECT 1 FROM removed UNION ALL SELECT 1 FROM updated))
    SELECT (SELECT stock FROM line) AS stock,
           EXISTS (SELECT 1 FROM removed UNION ALL SELECT 1 FROM updated) AS changed`);

/** Throws the contract's 404 (no such line of the caller's) or 400 (over the stock). */
export function updated(result: { rows: { stock: number | null; changed: boolean }[] }): void {
  const row = result.rows[0];
  if (row?.stock == null) throw notFound();
  if (!row.changed) throw tooMany(row.stock);
}

/** Removes one line of the caller's cart; a line of someone else's cart is "not found". */
export const removeItemQuery = (db: Db, userId: number, itemId: number) =>
  db.execute<{ id: number }>(sql`
    WITH removed AS (DELETE FROM cart_items WHERE id = ${itemId}::int AND cart_id = ${theCart(userId)} RETURNING id),
    touched AS (UPDATE carts SET updated_at = now() WHERE user_id = ${userId}::int AND EXISTS (SELECT 1 FROM removed))
    SELECT id FROM removed`);

export const clearCartQuery = (db: Db, userId: number) =>
  db.execute(sql`
    WITH removed AS (DELETE FROM cart_items WHERE cart_id = ${theCart(userId)} RETURNING id)
    UPDATE carts SET updated_at = now() WHERE user_id = ${userId}::int AND EXISTS (SELECT 1 FROM removed)`);
