import { beforeAll, describe, expect, it } from "vitest";
import { at, bearer, ID, json, read, unchecked } from "../harness/client";
import { makeCategory, makeProduct, makeUser, orderProduct, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
let staff: User;
let customer: User;
let books: number;

beforeAll(async () => {
  staff = await makeUser(w, { staff: true });
  customer = await makeUser(w);
  books = await makeCategory(w, "Books", "Paper and ink");
});

const create = (body: unknown, who = staff) => read(w.as(who).products.$post({ json: unchecked(body) }));
/** The product routes with an id, anonymous or as `who`. */
const product = (who?: User) => (who ? w.as(who) : w.api).products[ID];

describe("product writes", () => {
  it("creates a product for staff and answers the contract's JSON", async () => {
    const res = await create({ name: "  Dune ", description: "Spice", price: 19.99, stock: 5, category: books });
    expect(res.status).toBe(201);
    const body = res.body;
    expect(body).toEqual({
      id: expect.any(Number),
      name: "Dune",
      description: "Spice",
      price: "19.99",
      stock: 5,
      category: books,
      category_name: "Books",
      in_stock: true,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    const [row] = await w.query<{ price: string }>("select price::text from products where id = $1", [body.id]);
    expect(row!.price).toBe("19.99");
  });

  it("refuses anonymous (401) and customer (403) writes", async () => {
    const anon = await read(w.api.products.$post({ json: { name: "x", price: 1, category: books } }));
    expect(anon.status).toBe(401);
    expect(anon.body).toEqual({ detail: "Authentication credentials were not provided." });
    const res = await create({ name: "x", price: 1, category: books }, customer);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: "You do not have permission to perform this action." });
    const id = await makeProduct(w, { name: "Guarded", price: "1.00", stock: 1, category: books });
    const writes = (who?: User) => [
      () => product(who).$put({ ...at(id), json: { stock: 1 } }),
      () => product(who).$patch({ ...at(id), json: { stock: 1 } }),
      () => product(who).$delete(at(id)),
    ];
    const [anonymous, customers] = [writes(), writes(customer)];
    for (let i = 0; i < 3; i++) {
      expect((await anonymous[i]!()).status).toBe(401);
      expect((await customers[i]!()).status).toBe(403);
    }
    expect((await w.as(customer).products.low_stock.$get({ query: {} })).status).toBe(403);
  });

  it("keeps money exact: strings, numbers, places and range", async () => {
    const price = async (value: unknown) => {
      const res = await create({ name: "Priced", price: value, category: books });
      return { status: res.status, body: res.body };
    };
    expect((await price("0.10")).body.price).toBe("0.10");
    expect((await price(0.2)).body.price).toBe("0.20");
    expect((await price("1299.9")).body.price).toBe("1299.90");
    expect((await price(1e3)).body.price).toBe("1000.00");
    expect((await price("99999999.99")).body.price).toBe("99999999.99");
    const bad: [unknown, string][] = [
      ["19.999", "Ensure that there are no more than 2 decimal places."],
      [0.1 + 0.2, "Ensure that there are no more than 10 digits in total."],
      ["0", "Ensure this value is greater than 0."],
      [-5, "Ensure this value is greater than 0."],
      ["100000000.00", "Ensure that there are no more than 10 digits in total."],
      ["100000000", "Ensure that there are no more than 8 digits before the decimal point."],
      ["1e3", "A valid number is required."],
      ["abc", "A valid number is required."],
      [true, "A valid number is required."],
      [null, "This field may not be null."],
    ];
    for (const [value, message] of bad)
      expect(await price(value), String(value)).toEqual({ status: 400, body: { price: [message] } });
    const [sum] = await w.query<{ total: string }>(
      "select sum(price)::text as total from products where price in (0.10, 0.20)",
    );
    expect(sum!.total).toBe("0.30");
  });

  it("validates name, stock and category with DRF's messages", async () => {
    const res = await create({ name: "", price: "1", stock: -1, category: 999999 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      name: ["This field may not be blank."],
      stock: ["Ensure this value is greater than or equal to 0."],
    });
    const missing = await create({ name: "x".repeat(201), stock: 1.5, category: "abc" });
    expect(missing.body).toEqual({
      name: ["Ensure this field has no more than 200 characters."],
      price: ["This field is required."],
      stock: ["A valid integer is required."],
      category: ["Incorrect type. Expected pk value, received str."],
    });
    for (const category of [999999, 99999999999]) {
      const r = await create({ name: "Nope", price: "1.00", category });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ category: [`Invalid pk "${category}" - object does not exist.`] });
    }
    expect((await create({ name: "Big", price: "1", stock: 2147483648, category: books })).status).toBe(400);
    const list = await create([1, 2]);
    expect(list.body).toEqual({ non_field_errors: ["Invalid data. Expected a dictionary, but got list."] });
    const malformed = await w.request("/api/products/", json("{not json", { headers: bearer(staff) }));
    expect(malformed.status).toBe(400);
  });

  it("updates with PUT and PATCH, both partial", async () => {
    const id = await makeProduct(w, { name: "Old", price: "5.00", stock: 3, category: books });
    const music = await makeCategory(w, "Music");
    const put = await read(product(staff).$put({ ...at(id), json: { name: "New", price: "1499.99" } }));
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id, name: "New", price: "1499.99", stock: 3, category: books });
    // Without the trailing slash, as some clients send it: the path's shape is the point.
    const patch = await w.request(
      `/api/products/${id}`,
      json({ stock: 0, category: String(music) }, { method: "PATCH", headers: bearer(staff) }),
    );
    expect(await patch.json()).toMatchObject({
      id,
      name: "New",
      stock: 0,
      in_stock: false,
      category: music,
      category_name: "Music",
    });
    const bad = await read(product(staff).$patch({ ...at(id), json: { category: 424242 } }));
    expect(bad.body).toEqual({ category: ['Invalid pk "424242" - object does not exist.'] });
    expect((await product(staff).$patch({ ...at(424242), json: { stock: 1 } })).status).toBe(404);
  });

  it("deletes an unordered product and archives an ordered one", async () => {
    const plain = await makeProduct(w, { name: "Unordered", price: "2.00", stock: 1, category: books });
    const ordered = await makeProduct(w, { name: "Ordered", price: "2.00", stock: 1, category: books });
    await orderProduct(w, customer.id, ordered);
    for (const id of [plain, ordered]) {
      const res = await product(staff).$delete(at(id));
      expect(res.status).toBe(204);
      expect((await product().$get(at(id))).status).toBe(404);
      expect((await product(staff).$delete(at(id))).status).toBe(404);
    }
    expect(await w.query("select id from products where id = $1", [plain])).toEqual([]);
    const [kept] = await w.query<{ is_archived: boolean }>("select is_archived from products where id = $1", [ordered]);
    expect(kept!.is_archived).toBe(true);
    const [line] = await w.query<{ product_id: number }>("select product_id from order_items where product_id = $1", [
      ordered,
    ]);
    expect(line!.product_id).toBe(ordered);
    const list = await read(w.api.products.$get({ query: { page_size: "100" } }));
    expect(list.body.results.map((p) => p.id)).not.toContain(ordered);
    expect((await product(staff).$patch({ ...at(ordered), json: { stock: 9 } })).status).toBe(404);
  });
});

describe("product reads", () => {
  it("shows a detail with the nested category", async () => {
    const cat = await makeCategory(w, "Garden", "Outdoors");
    const id = await makeProduct(w, { name: "Rake", price: "12.50", stock: 4, category: cat });
    await makeProduct(w, { name: "Hidden rake", price: "1.00", stock: 1, category: cat, archived: true });
    const { status, body } = await read(product().$get(at(id)));
    expect(status).toBe(200);
    expect(body).toMatchObject({ id, name: "Rake", price: "12.50", category_name: "Garden", in_stock: true });
    expect(body.category).toEqual({
      id: cat,
      name: "Garden",
      description: "Outdoors",
      products_count: 1,
      created_at: expect.any(String),
    });
  });

  it("answers 404 for unknown, non-numeric and huge ids, never 500", async () => {
    for (const id of ["999999", "abc", "99999999999999999999", "0"]) {
      const res = await read(product().$get(at(id)));
      expect(res.status, id).toBe(404);
      expect(res.body).toEqual({ detail: "Not found." });
    }
    expect((await product(staff).$delete(at(2147483648))).status).toBe(404);
    // A method the path does not have.
    expect((await w.request("/api/products/low_stock/", { method: "POST", headers: bearer(staff) })).status).toBe(405);
  });
});
