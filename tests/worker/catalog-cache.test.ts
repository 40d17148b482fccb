import { beforeAll, describe, expect, inject, it } from "vitest";
import { readConfig } from "../../src/config";
import { Cache } from "../../src/lib/cache";
import { invalidateCatalog } from "../../src/routes/products/cache.service";
import { at, type Client, ID, type Reply, read, unchecked } from "../harness/client";
import { makeCategory, makeProduct, makeUser, type ProductSeed, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
let staff: User;
let cat: number;

beforeAll(async () => {
  staff = await makeUser(w, { staff: true });
  cat = await makeCategory(w, "Cached");
});

/** A read and the cache's word on it (`X-Cache`). */
const cached = async <T>(reply: Promise<Reply<T>>) => {
  const r = await reply;
  return { status: r.status, body: r.body, cache: r.headers.get("x-cache") };
};
const list = (query: Record<string, string> = {}, api: Client["api"] = w.api) =>
  cached(read(api.products.$get({ query: { page_size: "100", ...query } })));
const detail = (id: number, api: Client["api"] = w.api) => cached(read(api.products[ID].$get(at(id))));
const categories = (api: Client["api"] = w.api) => cached(read(api.products.categories.$get()));
const ids = (body: { results: { id: number }[] }) => body.results.map((p) => p.id);

/** Test rows go in by SQL, so they are announced the way the order code announces its writes. */
async function product(seed: Omit<ProductSeed, "category"> & { category?: number }): Promise<number> {
  const id = await makeProduct(w, { category: cat, ...seed });
  await invalidateCatalog(new Cache(readConfig(w.env), "test"), [id]);
  return id;
}

/**
 * Reads until the cache answers, three reads at most: a key's first read in an isolate asks Redis
 * and Postgres at once and stores nothing, a miss stores, and the next read must be a HIT that
 * matches the first answer.
 */
async function warm<T>(what: string, read: () => Promise<{ status: number; body: T; cache: string | null }>) {
  const first = await read();
  expect(first.status, what).toBe(200);
  let last = first;
  for (let i = 0; i < 2 && last.cache !== "HIT"; i++) last = await read();
  expect(last.cache, what).toBe("HIT");
  expect(last.body).toEqual(first.body);
  return last.body;
}

describe.skipIf(!inject("stack").redis)("catalog cache with Redis", () => {
  it("serves lists, details and categories from the cache until something changes", async () => {
    const id = await product({ name: "Lamp", price: "30.00", stock: 5 });
    await warm("list", () => list());
    await warm("detail", () => detail(id));
    await warm("categories", () => categories());
    // Written behind the API's back and not announced: the cache still answers.
    await w.query("update products set name = 'Sneaky' where id = $1", [id]);
    expect((await detail(id)).body.name).toBe("Lamp");
    expect((await list()).cache).toBe("HIT");
    // Equivalent queries share an entry; the links still follow the URL as sent.
    const other = await list(unchecked({ unrelated: "1" }));
    expect(other.cache).toBe("HIT");
  });

  it("shows a product update at once in its detail and in lists", async () => {
    const id = await product({ name: "Chair", price: "40.00", stock: 2 });
    await warm("list", () => list());
    await warm("detail", () => detail(id));
    const res = await w.as(staff).products[ID].$patch({ ...at(id), json: { price: "35.50" } });
    expect(res.status).toBe(200);
    const after = await detail(id);
    expect(after).toMatchObject({ cache: "MISS", body: { price: "35.50" } });
    const listed = await list();
    expect(listed.body.results.find((p) => p.id === id)!.price).toBe("35.50");
  });

  it("shows a created product at once, and its category's new count", async () => {
    const before = await warm("list", () => list());
    const counted = await warm("categories", () => categories());
    const res = await read(w.as(staff).products.$post({ json: { name: "Desk", price: 120, stock: 1, category: cat } }));
    const created = res.body;
    const after = await list();
    expect(after.body.count).toBe(before.count + 1);
    expect(ids(after.body)).toContain(created.id);
    const counts = (await categories()).body;
    expect(counts[0]!.products_count).toBe(counted[0]!.products_count + 1);
  });

  it("hides a deleted product at once", async () => {
    const id = await product({ name: "Vase", price: "15.00", stock: 1 });
    await warm("list", () => list());
    await warm("detail", () => detail(id));
    expect((await w.as(staff).products[ID].$delete(at(id))).status).toBe(204);
    expect((await detail(id)).status).toBe(404);
    expect(ids((await list()).body)).not.toContain(id);
  });

  it("shows a category rename in lists and details at once", async () => {
    const own = await makeCategory(w, "Before");
    const id = await product({ name: "Mug", price: "8.00", stock: 9, category: own });
    await warm("list", () => list());
    await warm("detail", () => detail(id));
    await warm("categories", () => categories());
    const res = await w.as(staff).products.categories[ID].$patch({ ...at(own), json: { name: "After" } });
    expect(res.status).toBe(200);
    expect((await detail(id)).body.category.name).toBe("After");
    expect((await list()).body.results.find((p) => p.id === id)!.category_name).toBe("After");
    expect((await categories()).body.map((c) => c.name)).toContain("After");
  });

  it("shows a stock change made by SQL once invalidateCatalog is called, and only re-reads those details", async () => {
    const sold = await product({ name: "Kettle", price: "25.00", stock: 3 });
    const untouched = await product({ name: "Toaster", price: "35.00", stock: 3 });
    await warm("in stock", () => list({ in_stock: "true" }));
    await warm("sold", () => detail(sold));
    await warm("untouched", () => detail(untouched));
    await w.query("update products set stock = 0 where id = $1", [sold]);
    await invalidateCatalog(new Cache(readConfig(w.env), "test"), [sold]);
    expect((await detail(sold)).body).toMatchObject({ stock: 0, in_stock: false });
    expect(ids((await list({ in_stock: "true" })).body)).not.toContain(sold);
    expect((await detail(untouched)).cache).toBe("HIT");
  });
});

describe.skipIf(!inject("stack").redis)("catalog cache entries and version stamps", () => {
  it("never serves an entry stamped with older versions, as a slow reader's late store leaves behind", async () => {
    const id = await product({ name: "Clock", price: "12.00", stock: 4 });
    const fresh = await warm("detail", () => detail(id));
    const cache = new Cache(readConfig(w.env), "test");
    const key = cache.key(`catalog:product:${id}`);
    // An entry is its stamp (the versions it was built under), a newline, and the answer's text.
    const stored = (await cache.tryMget([key]))![0]!;
    const stamp = stored.slice(0, stored.indexOf("\n"));
    expect(JSON.parse(stored.slice(stamp.length + 1))).toEqual(fresh);
    // A reader stamped its load before this write and stores after it.
    await invalidateCatalog(cache, [id]);
    await cache.set(key, `${stamp}\n${JSON.stringify({ ...fresh, name: "Stale" })}`, 60);
    const after = await detail(id);
    expect(after).toMatchObject({ cache: "MISS", body: { name: "Clock" } });
    expect((await detail(id)).cache).toBe("HIT");
  });
});

describe("catalog without Redis", () => {
  const down = { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: "t" };
  const off = { UPSTASH_REDIS_REST_URL: undefined };

  for (const [name, overrides] of [
    ["off", off],
    ["unreachable", down],
  ] as const) {
    it(`answers reads and writes from Postgres when Redis is ${name}`, async () => {
      const id = await makeProduct(w, { name: `Without Redis ${name}`, price: "3.00", stock: 1, category: cat });
      const api = w.client({ env: overrides }).api;
      for (const [path, res] of [
        ["list", await list({}, api)],
        ["detail", await detail(id, api)],
        ["categories", await categories(api)],
      ] as const) {
        expect(res.status, path).toBe(200);
        expect(res.cache).toBe("BYPASS");
      }
      const staffApi = w.as(staff, { env: overrides });
      const created = await staffApi.products.$post({ json: { name: "Made offline", price: "1.00", category: cat } });
      expect(created.status).toBe(201);
      const patched = await read(staffApi.products[ID].$patch({ ...at(id), json: { stock: 7 } }));
      expect(patched.body).toMatchObject({ stock: 7 });
      const res = await detail(id, api);
      expect(res.body).toMatchObject({ stock: 7 });
    });
  }
});
