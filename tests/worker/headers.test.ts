// Raw requests throughout: CORS preflights (OPTIONS, with the browser's own headers) and the root
// and docs pages, which are not part of the typed client's AppType.
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import { useWorker } from "./support";

const w = useWorker();

const SHOP = "https://shop.example.com";
const allowed = { CORS_ORIGINS: `${SHOP}, http://localhost:5173/` };

const preflight = (origin: string) => ({
  method: "OPTIONS",
  headers: {
    origin,
    "access-control-request-method": "POST",
    "access-control-request-headers": "authorization, content-type, idempotency-key",
  },
});

describe("CORS", () => {
  it("answers a preflight from an allowed origin, Idempotency-Key included", async () => {
    const res = await w.request("/api/orders/", preflight(SHOP), allowed);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")?.split(",")).toEqual(
      expect.arrayContaining(["Authorization", "Content-Type", "Idempotency-Key"]),
    );
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("lets an allowed origin read X-Request-Id", async () => {
    const res = await w.request("/api/", { headers: { origin: "http://localhost:5173" } }, allowed);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(res.headers.get("access-control-expose-headers")?.split(",")).toContain("X-Request-Id");
  });

  it("allows no origin by default, and no other origin when some are listed", async () => {
    for (const overrides of [{}, allowed]) {
      const res = await w.request("/api/orders/", preflight("https://evil.example"), overrides);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("refuses * and paths in CORS_ORIGINS at start-up", () => {
    for (const value of ["*", "https://shop.example.com/app", "https://*.example.com"]) {
      expect(() => readConfig({ ...w.env, CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS/);
    }
  });
});

describe("security headers", () => {
  it("are on JSON answers, errors included", async () => {
    for (const path of ["/api/", "/api/no-such-thing/"]) {
      const res = await w.request(path);
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d+/);
    }
  });

  it("let the docs page run only scripts and styles from this origin", async () => {
    const csp = (await w.request("/api/docs/")).headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).not.toContain("unsafe-inline");
  });
});
