import { describe, expect, it } from "vitest";
import { json, read } from "../harness/client";
import { useWorker } from "./support";

const w = useWorker();

describe("app skeleton in workerd", () => {
  it("answers the API root without I/O", async () => {
    // The root is not part of `AppType` (src/app.ts registers it before the typed chain).
    const res = await w.request("/api/");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ products: "http://localhost/api/products/" });
    expect(res.headers.get("x-request-id")).toMatch(/[\w-]{8,}/);
  });

  it("reports a healthy database and cache from real queries", async () => {
    const res = await read(w.api.health.$get());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "ok",
      db: "ok",
      cache: w.stack.redis ? "ok" : "off",
      version: expect.any(String),
    });
  });

  it("accepts the path without its trailing slash", async () => {
    expect((await w.request("/api/health")).status).toBe(200);
  });

  it("answers 503 in the contract's shape when Postgres is unreachable", async () => {
    const down = w.client({ env: { DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" } });
    const r = await read(down.api.health.$get());
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ status: "degraded", db: "down" });
  });

  it("answers unknown routes with 404 Not found.", async () => {
    const res = await w.request("/api/nothing-here/");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Not found." });
  });

  it("answers a wrong method with 405 in DRF's words", async () => {
    const res = await w.request("/api/health/", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ detail: 'Method "DELETE" not allowed.' });
  });

  it("answers an oversized body with 413 JSON", async () => {
    const res = await w.request("/api/health/", json({ big: "x".repeat(70 * 1024) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: "Request body too large." });
  });

  it("writes and reads Postgres through the Neon driver", async () => {
    await w.query("insert into categories (name) values ($1)", ["Books"]);
    const rows = await w.query<{ name: string }>("select name from categories where lower(name) = 'books'");
    expect(rows).toEqual([{ name: "Books" }]);
    await expect(w.query("insert into categories (name) values ('BOOKS')")).rejects.toThrow(/duplicate key/);
  });
});
