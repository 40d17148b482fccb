import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, getJson, makeCategory, makeProduct, makeUser, send } from "./catalog-support";
import { json, setupWorker, type WorkerHarness } from "./support";

let w: WorkerHarness;
let staff: string;
let customer: string;

beforeAll(async () => {
  w = await setupWorker();
  staff = (await makeUser(w, true)).token;
  customer = (await makeUser(w, false)).token;
});
afterAll(() => w.drop());

const write = (method: string, path: string, body: unknown, token = staff) =>
  getJson(w, `/api/products/categories/${path}`, send(token, method, body));

describe("categories", () => {
  it("lists every category with its count of visible products, as a plain list", async () => {
    const tools = await makeCategory(w, "Tools", "Hammers");
    const art = await makeCategory(w, "Art");
    await makeProduct(w, { name: "Hammer", price: "9.00", stock: 1, category: tools });
    await makeProduct(w, { name: "Saw", price: "19.00", stock: 0, category: tools });
    await makeProduct(w, { name: "Old saw", price: "1.00", stock: 1, category: tools, archived: true });
    const { status, body } = await getJson(w, "/api/products/categories/");
    expect(status).toBe(200);
    expect(body).toEqual([
      { id: art, name: "Art", description: "", products_count: 0, created_at: expect.stringMatching(/Z$/) },
      { id: tools, name: "Tools", description: "Hammers", products_count: 2, created_at: expect.stringMatching(/Z$/) },
    ]);
    expect((await getJson(w, `/api/products/categories/${tools}`)).body).toMatchObject({
      id: tools,
      products_count: 2,
    });
  });

  it("creates for staff only, names unique case-insensitively", async () => {
    expect((await w.request("/api/products/categories/", json({ name: "Toys" }))).status).toBe(401);
    expect((await write("POST", "", { name: "Toys" }, customer)).status).toBe(403);
    const created = await write("POST", "", { name: " Toys ", description: "Fun" });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: "Toys",
      description: "Fun",
      products_count: 0,
      created_at: expect.any(String),
    });
    const dup = await write("POST", "", { name: "TOYS" });
    expect(dup).toMatchObject({ status: 400, body: { name: ["category with this name already exists."] } });
    expect((await write("POST", "", {})).body).toEqual({ name: ["This field is required."] });
    expect((await write("POST", "", { name: "x".repeat(101) })).body).toEqual({
      name: ["Ensure this field has no more than 100 characters."],
    });
  });

  it("updates with PUT and PATCH, refusing a name another category has", async () => {
    const a = await makeCategory(w, "Alpha");
    await makeCategory(w, "Beta");
    const put = await write("PUT", `${a}/`, { name: "Alpha One", description: "First" });
    expect(put).toMatchObject({ status: 200, body: { id: a, name: "Alpha One", description: "First" } });
    const patch = await write("PATCH", `${a}`, { description: "Only this" });
    expect(patch.body).toMatchObject({ name: "Alpha One", description: "Only this" });
    expect((await write("PATCH", `${a}/`, { name: "alpha one" })).status).toBe(200);
    expect(await write("PATCH", `${a}/`, { name: "beta" })).toMatchObject({
      status: 400,
      body: { name: ["category with this name already exists."] },
    });
    expect((await write("PATCH", "424242/", { name: "Gamma" })).status).toBe(404);
    expect((await write("PATCH", `${a}/`, { name: "Z" }, customer)).status).toBe(403);
  });

  it("deletes an empty category and refuses one with products, archived ones included", async () => {
    const emptyOne = await makeCategory(w, "Emptiness");
    const used = await makeCategory(w, "Used");
    await makeProduct(w, { name: "Kept for history", price: "1.00", stock: 0, category: used, archived: true });
    const del = (id: number | string, token = staff) =>
      w.request(`/api/products/categories/${id}/`, { method: "DELETE", headers: bearer(token) });
    expect((await del(emptyOne, customer)).status).toBe(403);
    expect((await del(emptyOne)).status).toBe(204);
    expect((await del(emptyOne)).status).toBe(404);
    const refused = await del(used);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ detail: expect.stringMatching(/still has products/) });
    expect(await w.query("select id from categories where id = $1", [used])).toHaveLength(1);
  });

  it("answers 404 for unknown and impossible ids", async () => {
    for (const id of ["424242", "99999999999", "abc"]) {
      expect((await getJson(w, `/api/products/categories/${id}/`)).status, id).toBe(404);
    }
  });
});
