import { beforeAll, describe, expect, it } from "vitest";
import app from "../../src/app";
import { openApiPath } from "./openapi-support";
import { expectDocumented, useWorker } from "./support";

// Raw requests: the schema and docs pages are not part of AppType, and the orders' 405s are
// methods the route does not have.
const w = useWorker();

type Document = { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
let doc: Document;
beforeAll(async () => {
  const res = await w.request("/api/schema/");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  doc = await res.json();
});

const operations = (d: Document) =>
  Object.entries(d.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
const served = () => [
  ...new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${openApiPath(r.path)}`)),
];

describe("GET /api/schema/", () => {
  it("documents every route the app serves", () => {
    expect(served().filter((op) => !operations(doc).includes(op))).toEqual([]);
  });

  it("documents nothing the app does not serve, but the contract's 405s", () => {
    const extra = operations(doc).filter((op) => !served().includes(op));
    expect(extra.sort()).toEqual(["DELETE /api/orders/{id}/", "PATCH /api/orders/{id}/", "PUT /api/orders/{id}/"]);
    for (const op of extra)
      expect(Object.keys(doc.paths["/api/orders/{id}/"]![op.split(" ")[0]!.toLowerCase()]!.responses)).toEqual(["405"]);
  });

  // Validation against the OpenAPI 3.1 schema is in tests/e2e/docs.test.ts: the validator
  // reads its schema files from disk, which workerd has not.

  it("describes request bodies and query parameters from the routes' own zod schemas", () => {
    const create = doc.paths["/api/products/"]!.post as unknown as {
      requestBody: { content: Record<string, { schema: { required: string[] } }> };
    };
    expect(create.requestBody.content["application/json"]!.schema.required).toEqual(["name", "price", "category"]);
    const list = doc.paths["/api/products/"]!.get as unknown as { parameters: { name: string }[] };
    expect(list.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        "category",
        "min_price",
        "max_price",
        "in_stock",
        "search",
        "ordering",
        "page",
        "page_size",
      ]),
    );
  });

  it("answers 405 where it says orders cannot be edited", async () => {
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const res = await w.request("/api/orders/1/", { method });
      expect([res.status, await res.json()]).toEqual([405, { detail: `Method "${method}" not allowed.` }]);
    }
  });
});

describe("GET /api/docs/", () => {
  it("serves the docs page, which loads its scripts from this origin only", async () => {
    const res = await w.request("/api/docs/");
    expect(res.status).toBe(200);
    const html = await res.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(2);
    for (const src of sources) expect(src).toMatch(/^\/docs-assets\//);
  });
});

describe("what the schema says about the paths", () => {
  it("names each route once per method", () => {
    const keys = operations(doc);
    expect(keys.length).toBe(new Set(keys).size);
  });
});

describe("every worker test's answers are checked against the document (tests/harness/documented.ts)", () => {
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const order = {
    id: 1,
    user: 2,
    user_name: "ann",
    status: "pending",
    total_price: "10.00",
    shipping_address: "12 Long Street",
    phone_number: "+1",
    items: [{ id: 1, product: 3, product_name: "Mug", quantity: 1, price: "10.00", subtotal: "10.00" }],
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
  };

  it("accepts an answer as documented", async () => {
    await expect(expectDocumented("GET", "/api/orders/1/", json(order))).resolves.toBeUndefined();
  });

  it("fails on a renamed field, a wrong type, an undocumented status or an unknown path answering 200", async () => {
    const { total_price, ...renamed } = order;
    await expect(expectDocumented("GET", "/api/orders/1/", json({ ...renamed, total: total_price }))).rejects.toThrow(
      /total_price/,
    );
    await expect(expectDocumented("GET", "/api/orders/1/", json({ ...order, total_price: 10 }))).rejects.toThrow(
      /does not match/,
    );
    await expect(expectDocumented("GET", "/api/orders/1/", json({ detail: "x" }, 409))).rejects.toThrow(
      /status not documented/,
    );
    await expect(expectDocumented("GET", "/api/nowhere/", json({}))).rejects.toThrow(/only a 404/);
  });
});
