import { describe, expect, it } from "vitest";
import { bearer, json, type Reply, read, readAs, unchecked } from "../harness/client";
import { shop, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
const s = shop(w);

const cart = (who: User) => w.as(who).orders.cart;
type Changed = Awaited<ReturnType<typeof s.add>>["body"];
const items = (r: Reply<Changed>) => r.body.cart.cart_items;
const update = (who: User, body: { item_id: unknown; quantity: unknown }) =>
  read(cart(who).update_item.$put({ json: body }));
const remove = (who: User, query: Record<string, string>) =>
  read(cart(who).remove_item.$delete({ query: unchecked(query) }));

describe("cart", () => {
  it("refuses anonymous callers", async () => {
    const r = await read(w.api.orders.cart.$get());
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("is made on first use, once, and starts empty", async () => {
    const u = await s.user();
    const first = await s.cart(u);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      id: expect.any(Number),
      cart_items: [],
      total: "0.00",
      item_count: 0,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    // One of the two without its trailing slash, as the request was first written.
    const bare = async () => readAs<{ id: number }>(w.request("/api/orders/cart", { headers: bearer(u) }));
    const again = await Promise.all([bare(), s.cart(u)]);
    expect(again.map((r) => r.body.id)).toEqual([first.body.id, first.body.id]);
  });

  it("adds items with the product JSON, adds to an existing line, and sums money exactly", async () => {
    const u = await s.user();
    const dime = await s.product("0.10", 50, "Dime");
    const fifth = await s.product("0.20", 50, "Fifth");
    const r1 = await s.add(u, dime, 2);
    expect(r1.status).toBe(200);
    expect(r1.body.message).toBe("Item added to cart successfully");
    await s.add(u, fifth);
    const r3 = await read(cart(u).add_item.$post({ json: { product_id: String(dime), quantity: "1" } }));
    expect(r3.status).toBe(200);
    expect(items(r3)).toHaveLength(2);
    expect(items(r3)[0]).toEqual({
      id: expect.any(Number),
      product: {
        id: dime,
        name: "Dime",
        description: "",
        price: "0.10",
        stock: 50,
        category: expect.any(Number),
        category_name: expect.any(String),
        in_stock: true,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
      quantity: 3,
      subtotal: "0.30",
      added_at: expect.any(String),
    });
    expect(r3.body.cart).toMatchObject({ total: "0.50", item_count: 4 });
  });

  it.each([
    ["1299.99", 3, [], "3899.97"],
    ["19.99", 3, [["0.01", 1]], "59.98"],
  ] as const)("prices %s × %i (+ extras) total %s", async (price, qty, extras, total) => {
    const u = await s.user();
    await s.add(u, await s.product(price, 10), qty);
    for (const [p, q] of extras) await s.add(u, await s.product(p, 10), q);
    expect((await s.cart(u)).body.total).toBe(total);
  });

  it("refuses more than the stock, counting what the cart already holds, and changes nothing", async () => {
    const u = await s.user();
    const p = await s.product("5.00", 3);
    expect((await s.add(u, p, 4)).body).toEqual({ quantity: ["Only 3 items available"] });
    await s.add(u, p, 2);
    const over = await s.add(u, p, 2);
    expect(over.status).toBe(400);
    expect(over.body).toEqual({ quantity: ["Only 3 items available"] });
    const current = await s.cart(u);
    expect(current.body.cart_items.map((i) => i.quantity)).toEqual([2]);
  });

  it("lets concurrent adds reach the stock but never pass it", async () => {
    const u = await s.user();
    const p = await s.product("1.00", 5);
    const replies = await Promise.all(Array.from({ length: 10 }, () => s.add(u, p, 1)));
    expect(replies.filter((r) => r.status === 200)).toHaveLength(5);
    expect((await s.cart(u)).body.item_count).toBe(5);
  });

  it("answers unknown and archived products on product_id", async () => {
    const u = await s.user();
    const gone = await s.product("2.00", 5);
    await w.query("update products set is_archived = true where id = $1", [gone]);
    for (const id of [gone, 999999, 99999999999]) {
      const r = await s.add(u, id);
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ product_id: [`Invalid pk "${id}" - object does not exist.`] });
    }
  });

  it.each([
    [{ quantity: 1 }, { product_id: ["This field is required."] }],
    [{ product_id: 1, quantity: 0 }, { quantity: ["Ensure this value is greater than or equal to 1."] }],
    [{ product_id: 1, quantity: 1.5 }, { quantity: ["A valid integer is required."] }],
    [
      { product_id: "x", quantity: true },
      { product_id: ["Incorrect type. Expected pk value, received str."], quantity: ["A valid integer is required."] },
    ],
  ])("validates %j", async (body, errors) => {
    const r = await read(cart(await s.user()).add_item.$post({ json: unchecked(body) }));
    expect(r.status).toBe(400);
    expect(r.body).toEqual(errors);
  });

  it("answers malformed JSON with a 400", async () => {
    const u = await s.user();
    const r = await w.request("/api/orders/cart/add_item/", json("{nope", { headers: bearer(u) }));
    expect(r.status).toBe(400);
  });

  it("updates a line, removes it at 0, and checks stock", async () => {
    const u = await s.user();
    const p = await s.product("4.50", 5);
    const line = items(await s.add(u, p, 1))[0]!.id;
    const up = await update(u, { item_id: line, quantity: 4 });
    expect(up.status).toBe(200);
    expect(up.body.message).toBe("Cart updated");
    expect(up.body.cart).toMatchObject({ total: "18.00", item_count: 4 });
    const over = await update(u, { item_id: line, quantity: 6 });
    expect(over.body).toEqual({ quantity: ["Only 5 items available"] });
    const neg = await update(u, { item_id: line, quantity: -1 });
    expect(neg.status).toBe(400);
    const zero = await update(u, { item_id: line, quantity: 0 });
    expect(zero.body.cart).toMatchObject({ cart_items: [], total: "0.00", item_count: 0 });
  });

  it("treats another user's or an unknown item as not found", async () => {
    const [a, b] = [await s.user(), await s.user()];
    const line = items(await s.add(a, await s.product("1.00", 5)))[0]!.id;
    for (const call of [
      () => update(b, { item_id: line, quantity: 1 }),
      () => remove(b, { item_id: String(line) }),
      () => remove(b, { item_id: "99999999999" }),
    ]) {
      const r = await call();
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ detail: "Not found." });
    }
    expect((await s.cart(a)).body.item_count).toBe(1);
  });

  it("removes by ?item_id= and validates it", async () => {
    const u: User = await s.user();
    const line = items(await s.add(u, await s.product("1.00", 5)))[0]!.id;
    expect((await remove(u, {})).body).toEqual({ item_id: ["This field is required."] });
    expect((await remove(u, { item_id: "abc" })).body).toEqual({
      item_id: ["A valid integer is required."],
    });
    const r = await remove(u, { item_id: String(line) });
    expect(r.status).toBe(200);
    expect(r.body.message).toBe("Item removed from cart");
    expect(r.body.cart.cart_items).toEqual([]);
  });

  it("clears the cart", async () => {
    const u = await s.user();
    await s.add(u, await s.product("1.00", 5));
    await s.add(u, await s.product("2.00", 5));
    const r = await read(cart(u).clear.$delete());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ message: "Cart cleared", cart: { cart_items: [], total: "0.00", item_count: 0 } });
  });
});
