import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readConfig } from "../../src/config";
import { Cache } from "../../src/lib/cache";
import { invalidateCatalog } from "../../src/routes/products/cache.service";
import { bearer, getJson, makeCategory, makeProduct, makeUser, type ProductSeed, send } from "./catalog-support";
import { setupWorker, type WorkerHarness } from "./support";

let w: WorkerHarness;
let staff: string;
let cat: number;

beforeAll(async () => {
  w = await setupWorker();
  staff = (await makeUser(w, true)).token;
  cat = await makeCategory(w, "Cached");
});
afterAll(() => w.drop());

const LIST = "/api/products/?page_size=100";
const read = (path: string) => getJson(w, path);
const ids = (body: any) => body.results.map((p: any) => p.id);

/** Test rows go in by SQL, so they are announced the way the order code announces its writes. */
async function product(seed: Omit<ProductSeed, "category"> & { category?: number }): Promise<number> {
  const id = await makeProduct(w, { category: cat, ...seed });
  await invalidateCatalog(new Cache(readConfig(w.env), "test"), [id]);
  return id;
}

/** Reads twice: the second read must come from the cache and match the first. */
async function warm(path: string) {
  const first = await read(path);
  expect(first.status, path).toBe(200);
  const second = await read(path);
  expect(second.cache, path).toBe("HIT");
  expect(second.body).toEqual(first.body);
  return second.body;
}

describe.skipIf(!inject("stack").redis)("catalog cache with Redis", () => {
  it("serves lists, details and categories from the cache until something changes", async () => {
    const id = await product({ name: "Lamp", price: "30.00", stock: 5 });
    await warm(LIST);
    await warm(`/api/products/${id}/`);
    await warm("/api/products/categories/");
    // Written behind the API's back and not announced: the cache still answers.
    await w.query("update products set name = 'Sneaky' where id = $1", [id]);
    expect((await read(`/api/products/${id}/`)).body.name).toBe("Lamp");
    expect((await read(LIST)).cache).toBe("HIT");
    // Equivalent queries share an entry; the links still follow the URL as sent.
    const other = await read("/api/products/?page_size=100&unrelated=1");
    expect(other.cache).toBe("HIT");
  });

  it("shows a product update at once in its detail and in lists", async () => {
    const id = await product({ name: "Chair", price: "40.00", stock: 2 });
    await warm(LIST);
    await warm(`/api/products/${id}/`);
    const res = await w.request(`/api/products/${id}/`, send(staff, "PATCH", { price: "35.50" }));
    expect(res.status).toBe(200);
    const detail = await read(`/api/products/${id}/`);
    expect(detail).toMatchObject({ cache: "MISS", body: { price: "35.50" } });
    const list = await read(LIST);
    expect(list.body.results.find((p: any) => p.id === id).price).toBe("35.50");
  });

  it("shows a created product at once, and its category's new count", async () => {
    const before = await warm(LIST);
    const categories = await warm("/api/products/categories/");
    const res = await w.request(
      "/api/products/",
      send(staff, "POST", { name: "Desk", price: 120, stock: 1, category: cat }),
    );
    const created = (await res.json()) as any;
    const after = await read(LIST);
    expect(after.body.count).toBe(before.count + 1);
    expect(ids(after.body)).toContain(created.id);
    const counts = (await read("/api/products/categories/")).body;
    expect(counts[0].products_count).toBe(categories[0].products_count + 1);
  });

  it("hides a deleted product at once", async () => {
    const id = await product({ name: "Vase", price: "15.00", stock: 1 });
    await warm(LIST);
    await warm(`/api/products/${id}/`);
    expect((await w.request(`/api/products/${id}/`, { method: "DELETE", headers: bearer(staff) })).status).toBe(204);
    expect((await read(`/api/products/${id}/`)).status).toBe(404);
    expect(ids((await read(LIST)).body)).not.toContain(id);
  });

  it("shows a category rename in lists and details at once", async () => {
    const own = await makeCategory(w, "Before");
    const id = await product({ name: "Mug", price: "8.00", stock: 9, category: own });
    await warm(LIST);
    await warm(`/api/products/${id}/`);
    await warm("/api/products/categories/");
    const res = await w.request(`/api/products/categories/${own}/`, send(staff, "PATCH", { name: "After" }));
    expect(res.status).toBe(200);
    expect((await read(`/api/products/${id}/`)).body.category.name).toBe("After");
    expect((await read(LIST)).body.results.find((p: any) => p.id === id).category_name).toBe("After");
    expect((await read("/api/products/categories/")).body.map((c: any) => c.name)).toContain("After");
  });

  it("shows a stock change made by SQL once invalidateCatalog is called, and only re-reads those details", async () => {
    const sold = await product({ name: "Kettle", price: "25.00", stock: 3 });
    const untouched = await product({ name: "Toaster", price: "35.00", stock: 3 });
    await warm(`${LIST}&in_stock=true`);
    await warm(`/api/products/${sold}/`);
    await warm(`/api/products/${untouched}/`);
    await w.query("update products set stock = 0 where id = $1", [sold]);
    await invalidateCatalog(new Cache(readConfig(w.env), "test"), [sold]);
    expect((await read(`/api/products/${sold}/`)).body).toMatchObject({ stock: 0, in_stock: false });
    expect(ids((await read(`${LIST}&in_stock=true`)).body)).not.toContain(sold);
    expect((await read(`/api/products/${untouched}/`)).cache).toBe("HIT");
  });
});

describe.skipIf(!inject("stack").redis)("catalog cache entries and version stamps", () => {
  it("never serves an entry stamped with older versions, as a slow reader's late store leaves behind", async () => {
    const id = await product({ name: "Clock", price: "12.00", stock: 4 });
    const path = `/api/products/${id}/`;
    const fresh = await warm(path);
    const cache = new Cache(readConfig(w.env), "test");
    const key = cache.key(`catalog:product:${id}`);
    // An entry is its stamp (the versions it was built under), a newline, and the answer's text.
    const stored = (await cache.tryMget([key]))![0]!;
    const stamp = stored.slice(0, stored.indexOf("\n"));
    expect(JSON.parse(stored.slice(stamp.length + 1))).toEqual(fresh);
    // A reader stamped its load before this write and stores after it.
    await invalidateCatalog(cache, [id]);
    await cache.set(key, `${stamp}\n${JSON.stringify({ ...fresh, name: "Stale" })}`, 60);
    const after = await read(path);
    expect(after).toMatchObject({ cache: "MISS", body: { name: "Clock" } });
    expect((await read(path)).cache).toBe("HIT");
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
      for (const path of [LIST, `/api/products/${id}/`, "/api/products/categories/"]) {
        const res = await w.request(path, {}, overrides);
        expect(res.status, path).toBe(200);
        expect(res.headers.get("x-cache")).toBe("BYPASS");
      }
      const created = await w.request(
        "/api/products/",
        send(staff, "POST", { name: "Made offline", price: "1.00", category: cat }),
        overrides,
      );
      expect(created.status).toBe(201);
      const patched = await w.request(`/api/products/${id}/`, send(staff, "PATCH", { stock: 7 }), overrides);
      expect(await patched.json()).toMatchObject({ stock: 7 });
      const res = await w.request(`/api/products/${id}/`, {}, overrides);
      expect(await res.json()).toMatchObject({ stock: 7 });
    });
  }
});
