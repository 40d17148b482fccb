// GET /api/products/facets/ (#19): counts per category, price band and stock state under the list's
// filters and search, each equal to what the list answers for that choice; cached and invalidated
// like the list.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { readConfig } from "../../src/config";
import { Cache } from "../../src/lib/cache";
import { invalidateCatalog } from "../../src/routes/products/cache.service";
import { PRICE_BAND_EDGES } from "../../src/routes/products/facets.serialize";
import { at, ID, read, readAs, unchecked } from "../harness/client";
import { makeCategory, makeProduct, makeUser, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
let staff: User;
let electronics: number;
let sports: number;
let home: number;
let empty: number;
let mouse: number;

beforeAll(async () => {
  staff = await makeUser(w, { staff: true });
  electronics = await makeCategory(w, "Electronics");
  sports = await makeCategory(w, "Sports");
  home = await makeCategory(w, "Home");
  empty = await makeCategory(w, "Empty");
  const rows: [string, string, number, number][] = [
    ["Mechanical Keyboard", "89.90", 7, electronics],
    ["Keyboard Cover", "9.99", 0, electronics],
    ["Gaming Laptop", "1299.99", 50, electronics],
    ["Wireless Mouse", "24.99", 140, electronics],
    ["Trail Running Shoes", "129.95", 27, sports],
    ["Running Socks", "19.00", 0, sports],
    ["Espresso Machine", "449.00", 4, home],
    ["Bamboo Cutting Board", "25.00", 80, home],
  ];
  for (const [name, price, stock, category] of rows) {
    const id = await makeProduct(w, { name, price, stock, category, description: `All about ${name}` });
    if (name === "Wireless Mouse") mouse = id;
  }
  await makeProduct(w, { name: "Archived Keyboard", price: "5.00", stock: 5, category: electronics, archived: true });
});

type Query = Record<string, string>;
const facets = async (query: Query = {}) => {
  const res = await read(w.api.products.facets.$get({ query: unchecked(query) }));
  return { ...res, mode: res.headers.get("x-search-mode"), cache: res.headers.get("x-cache") };
};
const listCount = async (query: Query) =>
  (await read(w.api.products.$get({ query: unchecked({ page_size: "1", ...query }) }))).body.count;

/** A band's upper edge minus a cent, for the list's inclusive max_price, in integer cents. */
const centBelow = (edge: string) => {
  const cents = Number(edge.replace(".", "")) - 1;
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
};

const bands = (...counts: number[]) =>
  [null, ...PRICE_BAND_EDGES].map((min, i) => ({
    min: min ?? "0.00",
    max: PRICE_BAND_EDGES[i] ?? null,
    count: counts[i] ?? 0,
  }));

describe("facets", () => {
  it("counts visible products per category (by name), price band and stock state", async () => {
    const { status, body, mode } = await facets();
    expect(status).toBe(200);
    expect(mode).toBeNull();
    expect(body).toEqual({
      count: 8,
      categories: [
        { id: electronics, name: "Electronics", count: 4 },
        { id: home, name: "Home", count: 2 },
        { id: sports, name: "Sports", count: 2 },
      ],
      // 25.00 is the second band's lowest price: min <= price < max.
      price_bands: bands(3, 1, 1, 1, 1, 0, 1),
      stock: { in_stock: 6, out_of_stock: 2 },
    });
  });

  it("counts under every filter given, each count what the list answers for that choice", async () => {
    for (const query of [
      {},
      { in_stock: "true" },
      { category: String(electronics) },
      { min_price: "20", max_price: "500" },
      { search: "keyboard" },
      { search: "running", in_stock: "false" },
      { search: "keybaord" },
    ] as Query[]) {
      const { body, mode } = await facets(query);
      const what = JSON.stringify(query);
      expect(body.count, what).toBe(await listCount(query));
      /**
       * What the list answers with `choice` added. A search whose full-text hits all fall outside
       * the choice falls back to fuzzy matches there, which the facets' full-text count did not
       * include: so a value counted 0 by full-text search is left out.
       */
      const same = async (count: number, choice: Query, about: string) => {
        if (count > 0 || mode !== "fulltext")
          expect(count, `${what} ${about}`).toBe(await listCount({ ...query, ...choice }));
      };
      for (const c of body.categories) await same(c.count, { category: String(c.id) }, `category ${c.name}`);
      // Price bands and stock states only where the query has none of its own, which the choice would replace.
      if (query.min_price === undefined)
        for (const b of body.price_bands)
          await same(b.count, { min_price: b.min, ...(b.max ? { max_price: centBelow(b.max) } : {}) }, `band ${b.min}`);
      if (query.in_stock === undefined) {
        await same(body.stock.in_stock, { in_stock: "true" }, "in stock");
        await same(body.stock.out_of_stock, { in_stock: "false" }, "out of stock");
      }
    }
  });

  it("counts a search's matches, and says which search answered", async () => {
    const keyboard = await facets({ search: "keyboard" });
    expect(keyboard.mode).toBe("fulltext");
    expect(keyboard.body).toEqual({
      count: 2,
      categories: [{ id: electronics, name: "Electronics", count: 2 }],
      price_bands: bands(1, 0, 1),
      stock: { in_stock: 1, out_of_stock: 1 },
    });
    const typo = await facets({ search: "keybaord" });
    expect([typo.mode, typo.body.count]).toEqual(["fuzzy", 2]);
  });

  it("answers zeros for nothing, and the list's 400s for bad filters", async () => {
    for (const query of [{ min_price: "5000" }, { category: String(empty) }, { search: "zzxqv" }] as Query[]) {
      const { status, body } = await facets(query);
      expect(status).toBe(200);
      expect(body).toEqual({
        count: 0,
        categories: [],
        price_bands: bands(),
        stock: { in_stock: 0, out_of_stock: 0 },
      });
    }
    const cases: [Query, Record<string, string[]>][] = [
      [
        { category: "424242" },
        { category: ["Select a valid choice. That choice is not one of the available choices."] },
      ],
      [
        { category: "424242", search: "x" },
        { category: ["Select a valid choice. That choice is not one of the available choices."] },
      ],
      [{ min_price: "abc" }, { min_price: ["A valid number is required."] }],
      [{ in_stock: "maybe" }, { in_stock: ["Must be a valid boolean."] }],
      [{ search: "x".repeat(201) }, { search: ["Ensure this field has no more than 200 characters."] }],
      [{ search: "a\u0000b" }, { search: ["Null characters are not allowed."] }],
    ];
    for (const [query, expected] of cases) {
      const res = await readAs<Record<string, string[]>>(w.api.products.facets.$get({ query: unchecked(query) }));
      expect([res.status, res.body], JSON.stringify(query)).toEqual([400, expected]);
    }
  });
});

describe.runIf(!!inject("stack").redis)("cached facets", () => {
  it("are served from the cache until a write, like the list", async () => {
    const read3 = async () => {
      let last = await facets({ category: String(electronics) });
      for (let i = 0; i < 2 && last.cache !== "HIT"; i++) last = await facets({ category: String(electronics) });
      return last;
    };
    const before = await read3();
    expect(before.cache).toBe("HIT");
    expect(before.body.stock).toEqual({ in_stock: 3, out_of_stock: 1 });
    // A stock change as an order makes it: announced with invalidateCatalog.
    await w.query("update products set stock = 0 where id = $1", [mouse]);
    await invalidateCatalog(new Cache(readConfig(w.env), "test"), [mouse]);
    const after = await facets({ category: String(electronics) });
    expect(after.cache).not.toBe("HIT");
    expect(after.body.stock).toEqual({ in_stock: 2, out_of_stock: 2 });
    // A staff write through the API.
    const patched = await w.as(staff).products[ID].$patch({ ...at(mouse), json: { stock: 5 } });
    expect(patched.status).toBe(200);
    expect((await facets({ category: String(electronics) })).body.stock).toEqual({ in_stock: 3, out_of_stock: 1 });
  });
});
