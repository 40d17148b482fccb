import { mkdirSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCategory, makeProduct } from "../harness/fixtures";
import { browserTestsEnabled, launchChromium } from "../support/chromium.ts";
import { useRunningWorker } from "./support";

const SCREENSHOT = "test-results/docs.png";
const browserTest = browserTestsEnabled("the docs page browser test is");

const worker = useRunningWorker();
let browser: Browser | undefined;
beforeAll(async () => {
  const category = await makeCategory(worker, "Keyboards");
  await makeProduct(worker, { name: "Split keyboard", price: "149.00", stock: 7, category });
});
afterAll(async () => {
  await browser?.close();
});

describe("the OpenAPI document over HTTP", () => {
  it("is valid OpenAPI 3.1", async () => {
    const res = await worker.request("/api/schema/");
    expect(res.status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(await res.json());
    expect(result.errors ?? []).toEqual([]);
    expect([validator.version, result.valid]).toEqual(["3.1", true]);
  });

  it("serves the docs assets from this origin as static files", async () => {
    // Static files, not operations of the API: plain fetches, no document to check them against.
    for (const [file, type] of [
      ["swagger-ui-bundle.js", "javascript"],
      ["swagger-ui.css", "css"],
      ["docs.js", "javascript"],
    ]) {
      const res = await fetch(`${worker.url}/docs-assets/${file}`);
      expect([file, res.status, res.headers.get("content-type")]).toEqual([file, 200, expect.stringContaining(type!)]);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      await res.arrayBuffer();
    }
  });
});

describe.runIf(browserTest)("the docs page in headless Chromium", () => {
  it("lists the product routes and runs GET /api/products/ with Try it out", async () => {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const problems: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(msg.text());
    });
    page.on("requestfailed", (req) => problems.push(`${req.url()}: ${req.failure()?.errorText}`));
    page.on("request", (req) => {
      if (!req.url().startsWith(worker.url) && !req.url().startsWith("data:"))
        problems.push(`left the origin: ${req.url()}`);
    });

    await page.goto(`${worker.url}/api/docs/`);
    const paths = page.locator(".opblock-summary-path");
    await expect.poll(() => paths.count(), { timeout: 15_000 }).toBeGreaterThan(20);
    const listed = await paths.allInnerTexts();
    for (const path of [
      "/api/products/",
      "/api/products/{id}/",
      "/api/products/low_stock/",
      "/api/products/categories/",
    ]) {
      expect(listed.map((p) => p.replace(/\u200b/g, ""))).toContain(path);
    }

    const list = page.locator("#operations-products-getApiProducts");
    await list.locator(".opblock-summary").click();
    await list.getByRole("button", { name: "Try it out" }).click();
    await list.getByRole("button", { name: "Execute" }).click();
    const status = list.locator(".live-responses-table .response .response-col_status");
    await expect.poll(() => status.first().innerText(), { timeout: 15_000 }).toBe("200");
    await expect
      .poll(() => list.locator(".live-responses-table tbody .response-col_description").first().innerText())
      .toContain("Split keyboard");

    await list.locator(".live-responses-table").scrollIntoViewIfNeeded();
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(problems).toEqual([]);
  });
});
