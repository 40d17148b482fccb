// Catalog search on a known catalog (#19): ranking, stems, quotes, exclusions, `or`, prefixes,
// typos (the fuzzy fallback and its X-Search-Mode), orderings and filters with a search, the
// DRF page shape and hostile input.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { read, readAs, unchecked } from "../harness/client";
import { makeCategory, makeProduct } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
/** Visible products by number. */
const p: Record<number, number> = {};
let electronics: number;
let sports: number;

beforeAll(async () => {
  electronics = await makeCategory(w, "Electronics");
  sports = await makeCategory(w, "Sports");
  const home = await makeCategory(w, "Home");
  const rows: [number, string, string, string, number, number][] = [
    [1, "Mechanical Keyboard", "Hot-swappable switches, aluminium case", "89.90", 7, electronics],
    [2, "Keyboard Cover", "Silicone cover for any laptop keyboard", "9.99", 0, electronics],
    [3, "Gaming Laptop", "High performance, with a backlit keyboard", "1299.99", 50, electronics],
    [4, "Wireless Mouse", "Silent clicks, USB-C receiver", "24.99", 140, electronics],
    [5, "Trail Running Shoes", "Grippy outsole, waterproof", "129.95", 27, sports],
    [6, "Running Socks", "Merino wool, pack of three", "19.00", 0, sports],
    [7, "Espresso Machine", "15 bar pump, steam wand", "449.00", 4, home],
    [8, "Bamboo Cutting Board", "Set of three sizes", "19.99", 80, home],
  ];
  // Made in number order, so ids rise with the numbers (ties are broken by id).
  for (const [n, name, description, price, stock, category] of rows)
    p[n] = await makeProduct(w, { name, description, price, stock, category });
  await makeProduct(w, { name: "Archived Keyboard", price: "5.00", stock: 5, category: electronics, archived: true });
});

async function search(query: Record<string, string>) {
  const res = await read(w.api.products.$get({ query: unchecked({ page_size: "100", ...query }) }));
  expect(res.status, JSON.stringify(query)).toBe(200);
  const numbers = Object.fromEntries(Object.entries(p).map(([n, id]) => [id, Number(n)]));
  return { ...res, found: res.body.results.map((r) => numbers[r.id]!), mode: res.headers.get("x-search-mode") };
}
/** The product numbers a search lists, in order, checking full-text search answered. */
async function fulltext(text: string, more: Record<string, string> = {}): Promise<number[]> {
  const { found, mode } = await search({ search: text, ...more });
  expect(mode, text).toBe("fulltext");
  return found;
}

describe("full-text search", () => {
  it("ranks by relevance: name matches (weighted higher) before description matches, ties by id", async () => {
    // Keyboard Cover names it and describes it; Mechanical Keyboard names it; Gaming Laptop only describes it.
    expect(await fulltext("keyboard")).toEqual([2, 1, 3]);
    expect(await fulltext("laptop")).toEqual([3, 2]);
    // Both name "running" once: the same rank, so by id.
    expect(await fulltext("running")).toEqual([5, 6]);
  });

  it("matches word stems, in any letter case", async () => {
    expect(await fulltext("keyboards")).toEqual([2, 1, 3]);
    expect(await fulltext("KEYBOARD")).toEqual([2, 1, 3]);
    expect(await fulltext("runs")).toEqual([5, 6]);
    expect(await fulltext("switch")).toEqual([1]);
  });

  it("takes quoted phrases, -exclusions and or as web search engines do", async () => {
    expect(await fulltext("laptop keyboard")).toEqual([2, 3]);
    expect(await fulltext('"laptop keyboard"')).toEqual([2]);
    expect(await fulltext('"pack of three"')).toEqual([6]);
    expect(await fulltext("three")).toEqual([6, 8]);
    expect(await fulltext("keyboard -cover")).toEqual([1, 3]);
    expect(await fulltext('keyboard -"laptop keyboard"')).toEqual([1, 3]);
    expect(await fulltext("mouse or espresso")).toEqual([4, 7]);
  });

  it("matches the last word as a prefix, as the shopper types", async () => {
    expect(await fulltext("keyb")).toEqual([2, 1, 3]);
    expect(await fulltext("mechanical keyb")).toEqual([1]);
    expect(await fulltext("espr")).toEqual([7]);
    expect(await fulltext('"laptop keyb')).toEqual([2]);
    // Only a word still being typed: not an excluded one, nor a finished phrase.
    expect(await fulltext("keyboard -cov")).toEqual([2, 1, 3]);
    expect((await search({ search: '"laptop keyb"' })).mode).toBe("fuzzy");
  });

  it("honours ordering and every filter beside a search", async () => {
    expect(await fulltext("keyboard", { ordering: "price" })).toEqual([2, 1, 3]);
    expect(await fulltext("keyboard", { ordering: "-price" })).toEqual([3, 1, 2]);
    expect(await fulltext("keyboard", { ordering: "name" })).toEqual([3, 2, 1]);
    expect(await fulltext("keyboard", { in_stock: "true" })).toEqual([1, 3]);
    expect(await fulltext("keyboard", { max_price: "89.90" })).toEqual([2, 1]);
    expect(await fulltext("three", { category: String(sports) })).toEqual([6]);
    // Nothing in that category: the fallback finds nothing either.
    const none = await search({ search: "keyboard", category: String(sports) });
    expect([none.found, none.mode, none.body.count]).toEqual([[], "fuzzy", 0]);
  });

  it("answers DRF's page shape, its links keeping the search", async () => {
    const first = await search({ search: "keyboard", page_size: "2" });
    expect(Object.keys(first.body)).toEqual(["count", "next", "previous", "results"]);
    expect(first.body.count).toBe(3);
    expect(first.found).toEqual([2, 1]);
    expect(first.body.next).toBe("http://localhost/api/products/?page_size=2&search=keyboard&page=2");
    const second = await w.request(first.body.next!);
    expect(second.headers.get("x-search-mode")).toBe("fulltext");
    expect(((await second.json()) as { results: { id: number }[] }).results.map((r) => r.id)).toEqual([p[3]]);
    const past = await readAs<{ detail: string }>(
      w.api.products.$get({ query: { search: "keyboard", page: "3", page_size: "2" } }),
    );
    expect([past.status, past.body]).toEqual([404, { detail: "Invalid page." }]);
  });

  it("says nothing of search modes without a search", async () => {
    const all = await search({});
    expect(all.mode).toBeNull();
    expect(all.found).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect((await search({ search: "   " })).mode).toBeNull();
  });
});

describe("typos: the fuzzy fallback", () => {
  it("finds a misspelt word's products by name when full-text finds nothing, and says so", async () => {
    const typo = await search({ search: "keybaord" });
    expect([typo.mode, typo.found]).toEqual(["fuzzy", [1, 2]]);
    expect((await search({ search: "espreso" })).found).toEqual([7]);
    expect((await search({ search: "mechanicl keybord" })).found[0]).toBe(1);
    // The closest name first.
    expect((await search({ search: "runing shoes" })).found).toEqual([5, 6]);
  });

  it("keeps exclusions, filters and ordering", async () => {
    expect((await search({ search: "runing -socks" })).found).toEqual([5]);
    expect((await search({ search: "keybaord", in_stock: "false" })).found).toEqual([2]);
    expect((await search({ search: "keybaord", ordering: "-price" })).found).toEqual([1, 2]);
  });

  it("finds nothing for nonsense, and never errs on search syntax", async () => {
    for (const text of ["zzxqv", "%", '"', '""', "-", "--", "or", "- or -", ":*", "a & b | !c", "(x", "'", "\\"]) {
      const res = await search({ search: text });
      expect(res.body.count, text).toBe(0);
      expect(res.mode, text).toBe("fuzzy");
    }
  });
});

describe.runIf(!!inject("stack").redis)("cached searches", () => {
  it("keep their mode on a hit", async () => {
    for (let i = 0; i < 3; i++) {
      const got = await search({ search: "keybaord", page_size: "7" });
      expect(got.mode).toBe("fuzzy");
      if (got.headers.get("x-cache") === "HIT") return;
    }
    expect.unreachable("the third read was not a cache hit");
  });
});
