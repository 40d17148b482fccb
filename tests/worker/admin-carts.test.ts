// The console's carts view and archived products: open carts as staff see them, and a restore
// that brings a product back into the catalog at once, cached lists included.
import { beforeAll, describe, expect, it } from "vitest";
import { at, ID, read, unchecked } from "../harness/client";
import { makeCategory, makeProduct, makeUser, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
let staff: User;
let customer: User;
let category: number;

beforeAll(async () => {
  staff = await makeUser(w, { staff: true });
  customer = await makeUser(w);
  category = await makeCategory(w, "Carts and archive");
});

describe("GET /api/admin/carts/", () => {
  it("lists open carts with customer, lines at today's prices, value and age; empty carts are not open", async () => {
    const mug = await makeProduct(w, { name: "Mug", price: "4.50", stock: 10, category });
    const gone = await makeProduct(w, { name: "Gone", price: "9.00", stock: 10, category, archived: true });
    const [cart] = await w.query<{ id: number }>("insert into carts (user_id) values ($1) returning id", [customer.id]);
    await w.query(
      "insert into cart_items (cart_id, product_id, quantity, added_at) values ($1, $2, 3, '2026-11-01T10:00:00Z'), ($1, $3, 1, '2026-11-02T10:00:00Z')",
      [cart!.id, mug, gone],
    );
    const empty = await makeUser(w);
    await w.query("insert into carts (user_id) values ($1)", [empty.id]);
    const r = await read(w.as(staff).admin.carts.$get({ query: {} }));
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(1);
    expect(r.body.results).toEqual([
      {
        id: cart!.id,
        user: customer.id,
        user_name: customer.username,
        email: `${customer.username}@x.io`,
        items: [
          {
            product: mug,
            product_name: "Mug",
            quantity: 3,
            price: "4.50",
            subtotal: "13.50",
            added_at: "2026-11-01T10:00:00.000Z",
          },
        ],
        item_count: 3,
        total: "13.50",
        opened_at: "2026-11-01T10:00:00.000Z",
        updated_at: "2026-11-01T10:00:00.000Z",
      },
    ]);
    expect((await read(w.as(staff).admin.carts.$get({ query: { page: "2" } }))).status).toBe(404);
    expect((await read(w.as(staff).admin.carts.$get({ query: unchecked({ page: "x" }) }))).status).toBe(400);
    expect((await read(w.as(customer).admin.carts.$get({ query: {} }))).status).toBe(403);
  });
});

describe("archived products", () => {
  it("are listed for staff, searchable, and a restore puts one back in the (cached) catalog", async () => {
    const lamp = await makeProduct(w, { name: "Brass lamp", price: "30.00", stock: 2, category, archived: true });
    const list = await read(w.as(staff).admin.products.archived.$get({ query: { search: "brass" } }));
    expect(list.status).toBe(200);
    expect(list.body.results.map((p) => [p.id, p.name, p.price])).toEqual([[lamp, "Brass lamp", "30.00"]]);
    // Read the catalog twice so its answer is cached, then restore.
    const catalog = () => read(w.api.products.$get({ query: { category: String(category) } }));
    await catalog();
    expect((await catalog()).body.results.map((p) => p.id)).not.toContain(lamp);
    const restored = await read(w.as(staff).admin.products[ID].restore.$post(at(lamp)));
    expect([restored.status, restored.body.id, restored.body.name, restored.body.in_stock]).toEqual([
      200,
      lamp,
      "Brass lamp",
      true,
    ]);
    expect((await catalog()).body.results.map((p) => p.id)).toContain(lamp);
    expect((await read(w.api.products[ID].$get(at(lamp)))).status).toBe(200);
    const after = await read(w.as(staff).admin.products.archived.$get({ query: { search: "brass" } }));
    expect(after.body.count).toBe(0);
    // Restoring again, or a product that was never archived: 404.
    expect((await read(w.as(staff).admin.products[ID].restore.$post(at(lamp)))).status).toBe(404);
    expect((await read(w.as(staff).admin.products[ID].restore.$post(at(999999)))).status).toBe(404);
    expect((await read(w.as(customer).admin.products[ID].restore.$post(at(lamp)))).status).toBe(403);
  });
});
