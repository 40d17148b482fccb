import { beforeAll, describe, expect, it } from "vitest";
import { at, bearer, ID, json, read, unchecked } from "../harness/client";
import { makeCategory, makeProduct, makeUser, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
let staff: User;
let customer: User;

beforeAll(async () => {
  staff = await makeUser(w, { staff: true });
  customer = await makeUser(w);
});

const categories = (who: User = staff) => w.as(who).products.categories;
const create = (body: { name?: string; description?: string }, who = staff) =>
  read(categories(who).$post({ json: unchecked(body) }));
const patch = (id: number | string, body: { name?: string; description?: string }, who = staff) =>
  read(categories(who)[ID].$patch({ ...at(id), json: body }));

describe("categories", () => {
  it("lists every category with its count of visible products, as a plain list", async () => {
    const tools = await makeCategory(w, "Tools", "Hammers");
    const art = await makeCategory(w, "Art");
    await makeProduct(w, { name: "Hammer", price: "9.00", stock: 1, category: tools });
    await makeProduct(w, { name: "Saw", price: "19.00", stock: 0, category: tools });
    await makeProduct(w, { name: "Old saw", price: "1.00", stock: 1, category: tools, archived: true });
    const { status, body } = await read(w.api.products.categories.$get());
    expect(status).toBe(200);
    expect(body).toEqual([
      { id: art, name: "Art", description: "", products_count: 0, created_at: expect.stringMatching(/Z$/) },
      { id: tools, name: "Tools", description: "Hammers", products_count: 2, created_at: expect.stringMatching(/Z$/) },
    ]);
    // Without the trailing slash: the path's shape is the point.
    expect(await (await w.request(`/api/products/categories/${tools}`)).json()).toMatchObject({
      id: tools,
      products_count: 2,
    });
  });

  it("creates for staff only, names unique case-insensitively", async () => {
    expect((await w.api.products.categories.$post({ json: { name: "Toys" } })).status).toBe(401);
    expect((await create({ name: "Toys" }, customer)).status).toBe(403);
    const created = await create({ name: " Toys ", description: "Fun" });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: "Toys",
      description: "Fun",
      products_count: 0,
      created_at: expect.any(String),
    });
    const dup = await create({ name: "TOYS" });
    expect(dup).toMatchObject({ status: 400, body: { name: ["category with this name already exists."] } });
    expect((await create({})).body).toEqual({ name: ["This field is required."] });
    expect((await create({ name: "x".repeat(101) })).body).toEqual({
      name: ["Ensure this field has no more than 100 characters."],
    });
  });

  it("updates with PUT and PATCH, refusing a name another category has", async () => {
    const a = await makeCategory(w, "Alpha");
    await makeCategory(w, "Beta");
    const put = await read(categories()[ID].$put({ ...at(a), json: { name: "Alpha One", description: "First" } }));
    expect(put).toMatchObject({ status: 200, body: { id: a, name: "Alpha One", description: "First" } });
    // Without the trailing slash: the path's shape is the point.
    const bare = await w.request(
      `/api/products/categories/${a}`,
      json({ description: "Only this" }, { method: "PATCH", headers: bearer(staff) }),
    );
    expect(await bare.json()).toMatchObject({ name: "Alpha One", description: "Only this" });
    expect((await patch(a, { name: "alpha one" })).status).toBe(200);
    expect(await patch(a, { name: "beta" })).toMatchObject({
      status: 400,
      body: { name: ["category with this name already exists."] },
    });
    expect((await patch(424242, { name: "Gamma" })).status).toBe(404);
    expect((await patch(a, { name: "Z" }, customer)).status).toBe(403);
  });

  it("deletes an empty category and refuses one with products, archived ones included", async () => {
    const emptyOne = await makeCategory(w, "Emptiness");
    const used = await makeCategory(w, "Used");
    await makeProduct(w, { name: "Kept for history", price: "1.00", stock: 0, category: used, archived: true });
    const del = (id: number, who = staff) => read(categories(who)[ID].$delete(at(id)));
    expect((await del(emptyOne, customer)).status).toBe(403);
    expect((await del(emptyOne)).status).toBe(204);
    expect((await del(emptyOne)).status).toBe(404);
    const refused = await del(used);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ detail: expect.stringMatching(/still has products/) });
    expect(await w.query("select id from categories where id = $1", [used])).toHaveLength(1);
  });

  it("answers 404 for unknown and impossible ids", async () => {
    for (const id of ["424242", "99999999999", "abc"]) {
      expect((await w.api.products.categories[ID].$get(at(id))).status, id).toBe(404);
    }
  });
});
