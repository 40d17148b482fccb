import { beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import { Cache } from "../../src/lib/cache";
import { invalidateCatalog } from "../../src/routes/products/cache.service";
import { read, unchecked } from "../harness/client";
import { makeCategory, makeProduct, makeUser, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
let staff: User;
let electronics: number;
let kitchen: number;
let empty: number;
/** Visible products by number, 1 newest to 5 oldest. */
const p: Record<number, number> = {};

type ListQuery = Record<string, string>;
const products = (query: ListQuery = {}) => read(w.api.products.$get({ query: unchecked(query) }));

beforeAll(async () => {
  staff = await makeUser(w, { staff: true });
  electronics = await makeCategory(w, "Electronics");
  kitchen = await makeCategory(w, "Kitchen");
  empty = await makeCategory(w, "Empty");
  p[1] = await makeProduct(w, {
    name: "Gaming Laptop",
    price: "1299.99",
    stock: 50,
    category: electronics,
    age: 10,
    description: "High performance",
  });
  p[2] = await makeProduct(w, {
    name: "Laptop Sleeve",
    price: "19.99",
    stock: 0,
    category: electronics,
    age: 20,
    description: "100% neoprene",
  });
  p[3] = await makeProduct(w, {
    name: "USB_C Cable",
    price: "9.99",
    stock: 3,
    category: electronics,
    age: 30,
    description: "Braided",
  });
  p[4] = await makeProduct(w, {
    name: "Chef Knife",
    price: "49.50",
    stock: 7,
    category: kitchen,
    age: 40,
    description: "Sharp steel",
  });
  p[5] = await makeProduct(w, {
    name: "Cutting Board",
    price: "19.99",
    stock: 12,
    category: kitchen,
    age: 50,
    description: "Fits a LAPTOP-sized counter",
  });
  await makeProduct(w, {
    name: "Archived Laptop",
    price: "5.00",
    stock: 5,
    category: electronics,
    age: 5,
    archived: true,
  });
});
/** The visible product numbers a list answers, in order. */
async function listed(query: ListQuery): Promise<number[]> {
  const { status, body } = await products({ page_size: "100", ...query });
  expect(status, JSON.stringify(query)).toBe(200);
  const numbers: Record<number, number> = Object.fromEntries(Object.entries(p).map(([k, id]) => [id, Number(k)]));
  return body.results.map((r) => numbers[r.id]!);
}

describe("filters and orderings", () => {
  it("lists visible products newest first by default, in the contract's JSON", async () => {
    expect(await listed({})).toEqual([1, 2, 3, 4, 5]);
    const { body } = await products();
    expect(body).toMatchObject({ count: 5, next: null, previous: null });
    expect(body.results[0]).toEqual({
      id: p[1],
      name: "Gaming Laptop",
      description: "High performance",
      price: "1299.99",
      stock: 50,
      category: electronics,
      category_name: "Electronics",
      in_stock: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
  });

  it("orders by every allowed field, ties broken by id", async () => {
    const cases: [string, number[]][] = [
      ["price", [3, 2, 5, 4, 1]],
      ["-price", [1, 4, 5, 2, 3]],
      ["created_at", [5, 4, 3, 2, 1]],
      ["-created_at", [1, 2, 3, 4, 5]],
      ["stock", [2, 3, 4, 5, 1]],
      ["-stock", [1, 5, 4, 3, 2]],
      ["name", [4, 5, 1, 2, 3]],
      ["-name", [3, 2, 1, 5, 4]],
    ];
    for (const [ordering, expected] of cases) expect(await listed({ ordering }), ordering).toEqual(expected);
  });

  it("filters by category, price range (inclusive), stock and search", async () => {
    expect(await listed({ category: String(electronics) })).toEqual([1, 2, 3]);
    expect(await listed({ category: String(kitchen), ordering: "price" })).toEqual([5, 4]);
    expect(await listed({ category: String(empty) })).toEqual([]);
    expect(await listed({ min_price: "19.99" })).toEqual([1, 2, 4, 5]);
    expect(await listed({ max_price: "19.99" })).toEqual([2, 3, 5]);
    expect(await listed({ min_price: "19.99", max_price: "49.5" })).toEqual([2, 4, 5]);
    expect(await listed({ min_price: "1300" })).toEqual([]);
    expect(await listed({ in_stock: "true" })).toEqual([1, 3, 4, 5]);
    expect(await listed({ in_stock: "false" })).toEqual([2]);
    expect(await listed({ search: "laptop" })).toEqual([1, 2, 5]);
    expect(await listed({ search: "STEEL" })).toEqual([4]);
    expect(await listed({ search: "gaming laptop" })).toEqual([1]);
    expect(await listed({ search: "100%" })).toEqual([2]);
    // Words, not substrings (catalog-search.test.ts): punctuation alone names none.
    expect(await listed({ search: "%" })).toEqual([]);
    expect(await listed({ search: "usb_c" })).toEqual([3]);
    expect(await listed({ category: String(electronics), in_stock: "true", ordering: "price" })).toEqual([3, 1]);
    expect(await listed({ category: "", search: "" })).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("pagination", () => {
  it("pages with absolute links that keep the other parameters", async () => {
    const first = await products({ category: String(electronics), page_size: "2" });
    expect(first.body).toMatchObject({ count: 3, previous: null });
    expect(first.body.results).toHaveLength(2);
    expect(first.body.next).toBe(`http://localhost/api/products/?category=${electronics}&page_size=2&page=2`);
    // Following the link as given: the raw URL is the point.
    const second = (await (await w.request(first.body.next!)).json()) as typeof first.body;
    expect(second.results.map((r) => r.id)).toEqual([p[3]]);
    expect(second.next).toBeNull();
    expect(second.previous).toBe(`http://localhost/api/products/?category=${electronics}&page_size=2`);
  });

  it("answers 404 Invalid page. past the end, 200 for the first page of nothing", async () => {
    for (const query of [
      { page: "2" },
      { page_size: "2", page: "4" },
      { page: "99999999999999999999" },
    ] as ListQuery[]) {
      const res = await products(query);
      expect(res.status, JSON.stringify(query)).toBe(404);
      expect(res.body).toEqual({ detail: "Invalid page." });
    }
    expect((await products({ category: String(empty), page: "1" })).body).toEqual({
      count: 0,
      next: null,
      previous: null,
      results: [],
    });
  });

  it("defaults to 10 a page and allows up to 100", async () => {
    const values = Array.from(
      { length: 11 },
      (_, i) => `('Bulk ${i}', '1.00', 1, ${kitchen}, now() - interval '1 hour')`,
    ).join(",");
    await w.query(`insert into products (name, price, stock, category_id, created_at) values ${values}`);
    // Rows written behind the API's back: tell the cache, as the order code does.
    const cache = new Cache(readConfig(w.env), "test");
    await invalidateCatalog(cache, []);
    try {
      expect((await products()).body.results).toHaveLength(10);
      expect((await products({ page_size: "100" })).body.results).toHaveLength(16);
    } finally {
      await w.query("delete from products where name like 'Bulk %'");
      await invalidateCatalog(cache, []);
    }
  });
});

describe("bad parameters", () => {
  it("answers 400 naming each bad parameter", async () => {
    const cases: [string, Record<string, string[]>][] = [
      ["min_price=abc", { min_price: ["A valid number is required."] }],
      ["max_price=1e3", { max_price: ["A valid number is required."] }],
      ["min_price=1.001", { min_price: ["Ensure that there are no more than 2 decimal places."] }],
      ["category=x", { category: ["Select a valid choice. That choice is not one of the available choices."] }],
      ["category=424242", { category: ["Select a valid choice. That choice is not one of the available choices."] }],
      [
        "category=99999999999",
        { category: ["Select a valid choice. That choice is not one of the available choices."] },
      ],
      ["in_stock=maybe", { in_stock: ["Must be a valid boolean."] }],
      ["ordering=password", { ordering: ['"password" is not a valid choice.'] }],
      ["page=0", { page: ["Ensure this value is greater than or equal to 1."] }],
      ["page=abc", { page: ["A valid integer is required."] }],
      ["page_size=10000", { page_size: ["Ensure this value is less than or equal to 100."] }],
      ["page_size=0", { page_size: ["Ensure this value is greater than or equal to 1."] }],
      [`search=${"x".repeat(201)}`, { search: ["Ensure this field has no more than 200 characters."] }],
    ];
    for (const [query, expected] of cases) {
      const res = await products(Object.fromEntries(new URLSearchParams(query)));
      expect(res.status, query).toBe(400);
      expect(res.body, query).toEqual(expected);
    }
    const many = await products({ min_price: "x", ordering: "id" });
    expect(Object.keys(many.body).sort()).toEqual(["min_price", "ordering"]);
  });
});

describe("low stock", () => {
  const low = async (query: Record<string, string> = {}) =>
    read(w.as(staff).products.low_stock.$get({ query: unchecked(query) }));

  it("lists visible products with 0 < stock < threshold, lowest first, as a plain list", async () => {
    const { status, body } = await low();
    expect(status).toBe(200);
    expect(body.map((r) => r.id)).toEqual([p[3], p[4]]);
    expect((await low({ threshold: "4" })).body.map((r) => r.id)).toEqual([p[3]]);
    expect((await low({ threshold: "51" })).body.map((r) => r.id)).toEqual([p[3], p[4], p[5], p[1]]);
    expect((await low({ category: String(kitchen) })).body.map((r) => r.id)).toEqual([p[4]]);
    expect((await low({ category: String(empty) })).body).toEqual([]);
    // Anonymous, and without the trailing slash, as the request was first written.
    expect((await w.request("/api/products/low_stock")).status).toBe(401);
  });

  it("refuses bad thresholds and categories", async () => {
    expect((await low({ threshold: "0" })).body).toEqual({
      threshold: ["Ensure this value is greater than or equal to 1."],
    });
    expect((await low({ threshold: "abc" })).body).toEqual({ threshold: ["A valid integer is required."] });
    expect((await low({ threshold: "99999999999" })).status).toBe(400);
    expect((await low({ category: "424242" })).body).toEqual({
      category: ["Select a valid choice. That choice is not one of the available choices."],
    });
  });
});
