import { and, asc, eq, sql } from "drizzle-orm";
import type { Db, Sql } from "../../db/client";
import { cartItems, carts, categories, products } from "../../db/schema";
import { fieldError, notFound } from "../../lib/errors";
import { INT4_MAX, missingPk } from "../../lib/fields";
import { productColumns, productJson } from "../products/products.serialize";
import type { CartJson } from "./cart.serialize";

type CartRow = typeof carts.$inferSelect;

async function findCart(db: Sql, userId: number): Promise<CartRow | null> {
  const [found] = await db.select().from(carts).where(eq(carts.userId, userId));
  return found ?? null;
}

/** The caller's cart for changing one of its lines: no cart means no such line, a 404 that makes nothing. */
export async function existingCartId(db: Sql, userId: number): Promise<number> {
  const found = await findCart(db, userId);
  if (!found) throw notFound();
  return found.id;
}

/** The caller's cart, made on first use; the unique user_id settles two first requests racing. */
export async function ensureCart(db: Sql, userId: number): Promise<CartRow> {
  const find = () => db.select().from(carts).where(eq(carts.userId, userId));
  const [found] = await find();
  if (found) return found;
  await db.execute(sql`INSERT INTO carts (user_id) VALUES (${userId}) ON CONFLICT (user_id) DO NOTHING`);
  const [made] = await find();
  if (!made) throw new Error("cart vanished right after it was created");
  return made;
}

/**
 * The contract's cart JSON. Money is multiplied and summed by Postgres (numeric), never in JS.
 * Archived products have left the catalog: like the seed's cascade delete, they leave the cart view.
 */
export async function cartJson(db: Sql, cartId: number): Promise<CartJson> {
  const [cart] = await db.select().from(carts).where(eq(carts.id, cartId));
  if (!cart) throw notFound();
  const lines = await db
    .select({
      ...productColumns,
      itemId: cartItems.id,
      quantity: cartItems.quantity,
      addedAt: cartItems.addedAt,
      subtotal: sql<string>`${products.price} * ${cartItems.quantity}`,
      total: sql<string>`sum(${products.price} * ${cartItems.quantity}) over ()`,
    })
    .from(cartItems)
    .innerJoin(products, eq(products.id, cartItems.productId))
    .innerJoin(categories, eq(categories.id, products.categoryId))
    .where(and(eq(cartItems.cartId, cart.id), eq(products.isArchived, false)))
    .orderBy(asc(cartItems.addedAt), asc(cartItems.id));
  return {
    id: cart.id,
    cart_items: lines.map((l) => ({
      id: l.itemId,
      product: productJson(l),
      quantity: l.quantity,
      subtotal: l.subtotal,
      added_at: l.addedAt.toISOString(),
    })),
    total: lines[0]?.total ?? "0.00",
    // Quantities are integers, so adding them in JS is exact.
    item_count: lines.reduce((n, l) => n + l.quantity, 0),
    created_at: cart.createdAt.toISOString(),
    updated_at: cart.updatedAt.toISOString(),
  };
}

/**
 * Adds to the caller's cart; returns the cart id. A first add makes the cart in the same
 * transaction, so a refused one (unknown product, not enough stock) leaves no empty cart behind.
 */
export async function addToCart(db: Db, userId: number, productId: number, quantity: number): Promise<number> {
  const found = await findCart(db, userId);
  if (found) {
    await addItem(db, found.id, productId, quantity);
    return found.id;
  }
  return db.transaction(async (tx) => {
    const { id } = await ensureCart(tx, userId);
    await addItem(tx, id, productId, quantity);
    return id;
  });
}

const invalidProduct = (id: number) => fieldError("product_id", missingPk(id));
const tooMany = (stock: number) => fieldError("quantity", `Only ${stock} items available`);

/**
 * Adds to the line's quantity in one statement: the upsert only applies when the resulting
 * quantity fits the stock, so a refused request changes nothing and two adds cannot race past it.
 */
export async function addItem(db: Sql, cartId: number, productId: number, quantity: number): Promise<void> {
  const { rows } = await db.execute<{ stock: number | null; quantity: number | null }>(sql`
    WITH product AS (SELECT id, stock FROM products WHERE id = ${productId} AND NOT is_archived),
    saved AS (
      INSERT INTO cart_items (cart_id, product_id, quantity)
      SELECT ${cartId}::int, id, ${quantity}::int FROM product WHERE stock >= ${quantity}::int
      ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = cart_items.quantity + excluded.quantity
        WHERE cart_items.quantity::bigint + excluded.quantity <= (SELECT stock FROM product)
      RETURNING quantity),
    touched AS (UPDATE carts SET updated_at = now() WHERE id = ${cartId} AND EXISTS (SELECT 1 FROM saved))
    SELECT (SELECT stock FROM product) AS stock, (SELECT quantity FROM saved) AS quantity`);
  const row = rows[0];
  if (row?.stock == null) throw invalidProduct(productId);
  if (row.quantity == null) throw tooMany(row.stock);
}

/** Sets a line's quantity (0 removes it); the stock check and the write are one statement. */
export async function updateItem(db: Sql, cartId: number, itemId: number, quantity: number): Promise<void> {
  if (itemId < 1 || itemId > INT4_MAX) throw notFound();
  const { rows } = await db.execute<{ stock: number | null; changed: boolean }>(sql`
    WITH line AS (
      SELECT ci.id, p.stock FROM cart_items ci JOIN products p ON p.id = ci.product_id
      WHERE ci.id = ${itemId} AND ci.cart_id = ${cartId} AND NOT p.is_archived),
    removed AS (DELETE FROM cart_items WHERE ${quantity}::int = 0 AND id IN (SELECT id FROM line) RETURNING id),
    updated AS (
      UPDATE cart_items SET quantity = ${quantity}::int
      WHERE ${quantity}::int > 0 AND id IN (SELECT id FROM line WHERE stock >= ${quantity}::int) RETURNING id),
    touched AS (
      UPDATE carts SET updated_at = now()
      WHERE id = ${cartId} AND EXISTS (SELECT 1 FROM removed UNION ALL SELECT 1 FROM updated))
    SELECT (SELECT stock FROM line) AS stock,
           EXISTS (SELECT 1 FROM removed UNION ALL SELECT 1 FROM updated) AS changed`);
  const row = rows[0];
  if (row?.stock == null) throw notFound();
  if (!row.changed) throw tooMany(row.stock);
}

/** Removes one line of the caller's cart; a line of someone else's cart is "not found". */
export async function removeItem(db: Sql, cartId: number, itemId: number): Promise<void> {
  if (itemId < 1 || itemId > INT4_MAX) throw notFound();
  const { rows } = await db.execute(sql`
    WITH removed AS (DELETE FROM cart_items WHERE id = ${itemId} AND cart_id = ${cartId} RETURNING id),
    touched AS (UPDATE carts SET updated_at = now() WHERE id = ${cartId} AND EXISTS (SELECT 1 FROM removed))
    SELECT id FROM removed`);
  if (!rows.length) throw notFound();
}

export async function clearCart(db: Sql, cartId: number): Promise<void> {
  await db.execute(sql`
    WITH removed AS (DELETE FROM cart_items WHERE cart_id = ${cartId} RETURNING id)
    UPDATE carts SET updated_at = now() WHERE id = ${cartId} AND EXISTS (SELECT 1 FROM removed)`);
}
