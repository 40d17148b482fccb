// The console's dashboard, carts and archived products in headless Chromium, on a seeded shop:
// tiles read as the API answers, a new order moves tiles and chart without a reload, the carts
// view lists an open cart, and a restored product is back in the (cached) catalog.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { read } from "../harness/client";
import { ADDRESS, makeCategory, makeProduct, makeUser, type User } from "../harness/fixtures";
import { browserTestsEnabled, launchChromium } from "../support/chromium.ts";
import { consoleSessions } from "./console-support";
import { useRunningWorker } from "./support";

const browserTest = browserTestsEnabled("the dashboard browser tests are");
const STAFF = { username: "dash_staff", password: "staff-pass-123" };
// Days start at Berlin's midnight in the browser and in the API it asks.
const TZ = "Europe/Berlin";

const worker = useRunningWorker();
let browser: Browser;
let staff: User;
let customer: User;
let mug: number;
let lamp: number;
const contexts: BrowserContext[] = [];
const { openConsole, signIn } = consoleSessions(worker, () => browser, contexts);

/** The customer buys `quantity` mugs through the API. */
async function buy(quantity: number) {
  const api = worker.as(customer);
  expect((await api.orders.cart.add_item.$post({ json: { product_id: mug, quantity } })).status).toBe(200);
  expect((await api.orders.$post({ json: ADDRESS })).status).toBe(201);
}

/** A Berlin calendar day, `daysAgo` before today. */
const berlinDay = (daysAgo = 0) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: TZ }).format(new Date(Date.now() - daysAgo * 86_400_000));
/** What the dashboard asks for by default: the last 30 days, today included, in the browser's zone. */
const stats = async () => {
  const query = { tz: TZ, from: berlinDay(29), to: berlinDay(), bucket: "day" as const };
  const r = await read(worker.as(staff).admin.stats.$get({ query }));
  expect(r.status).toBe(200);
  return r.body;
};
const tile = (page: Page, name: string) => page.locator(`[data-tile="${name}"] .tile-value`).innerText();
const chartValues = (page: Page, id: string) => page.locator(`#${id}`).getAttribute("data-values");
/** The console's money: thousands separated, on the decimal string. */
const shown = (money: string) => money.replace(/\B(?=(\d{3})+(?!\d))/, ",");

beforeAll(async () => {
  staff = await makeUser(worker, { username: STAFF.username, password: STAFF.password, staff: true });
  customer = await makeUser(worker, { username: "dash_customer" });
  const category = await makeCategory(worker, "Kitchen");
  mug = await makeProduct(worker, { name: "Stoneware mug", price: "12.50", stock: 500, category });
  await makeProduct(worker, { name: "Teapot", price: "1249.99", stock: 4, category });
  await makeProduct(worker, { name: "Kettle", price: "35.00", stock: 0, category });
  lamp = await makeProduct(worker, { name: "Brass lamp", price: "80.00", stock: 3, category, archived: true });
  // Orders on earlier days draw the chart; one cancelled, which revenue leaves out.
  for (const [daysAgo, total, status] of [
    [3, "25.00", "delivered"],
    [2, "37.50", "shipped"],
    [2, "12.50", "cancelled"],
    [1, "50.00", "processing"],
  ] as const) {
    const [order] = await worker.query<{ id: number }>(
      `insert into orders (user_id, status, total_price, shipping_address, phone_number, created_at)
       values ($1, $2, $3, '1 Long Street, Town', '555', now() - make_interval(days => $4)) returning id`,
      [customer.id, status, total, daysAgo],
    );
    await worker.query(
      "insert into order_items (order_id, product_id, product_name, quantity, price) values ($1, $2, 'Stoneware mug', $3, '12.50')",
      [order!.id, mug, Number(total) / 12.5],
    );
  }
  await buy(2);
  if (browserTest) browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

describe.runIf(browserTest)("the dashboard in headless Chromium", () => {
  it("lands on the dashboard, whose tiles are the API's figures, and a new order moves tiles and chart without a reload", async () => {
    const { page, problems } = await openConsole({ width: 1280, height: 900 }, { timezoneId: TZ });
    await signIn(page, STAFF);
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    await page.locator("#chart-revenue canvas").first().waitFor();
    const before = await stats();
    expect(before.today).toMatchObject({ orders: 1, revenue: "25.00" });
    expect(await tile(page, "revenue")).toBe(shown(before.today.revenue));
    expect(await tile(page, "orders")).toBe(String(before.today.orders));
    expect(await tile(page, "pending")).toBe(String(before.orders_by_status.pending));
    expect(await tile(page, "low-stock")).toBe(String(before.stock.low));
    expect(await chartValues(page, "chart-revenue")).toBe(before.series.map((p) => p.revenue).join(","));
    expect(await page.locator(".top").first().innerText()).toContain("Stoneware mug");
    await expect.poll(() => page.locator("#live").innerText()).toBe("Live");
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/dashboard.png", fullPage: true });

    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    const placed = performance.now();
    await buy(3);
    await expect.poll(() => tile(page, "orders"), { timeout: 1_000, interval: 50 }).toBe("2");
    const ms = performance.now() - placed;
    const after = await stats();
    expect(after.today).toMatchObject({ orders: 2, revenue: "62.50" });
    expect(await tile(page, "revenue")).toBe(shown(after.today.revenue));
    expect(await tile(page, "pending")).toBe(String(before.orders_by_status.pending + 1));
    await expect.poll(() => chartValues(page, "chart-orders")).toBe(after.series.map((p) => p.orders).join(","));
    expect((await chartValues(page, "chart-revenue"))?.split(",").at(-1)).toBe("62.50");
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
    console.log(`dashboard: a new order reached the tiles ${Math.round(ms)} ms after the API answered`);

    // The range picker by keyboard: Last 30 days, one up is Last 7 days.
    await page.getByLabel("Range", { exact: true }).focus();
    await page.keyboard.press("ArrowUp");
    await expect.poll(() => page.locator(".series-table tbody tr").count()).toBe(7);
    expect(page.url()).toContain("range=7");

    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.locator("html").evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: "test-results/dashboard-phone.png", fullPage: true });
    expect(problems).toEqual([]);
  });

  it("lists an open cart with its customer, lines and value", async () => {
    const api = worker.as(customer);
    expect((await api.orders.cart.add_item.$post({ json: { product_id: mug, quantity: 4 } })).status).toBe(200);
    const { page, problems } = await openConsole();
    await signIn(page, STAFF);
    await page.getByRole("link", { name: "Carts", exact: true }).click();
    const row = page.locator("tbody tr", { hasText: customer.username });
    await row.waitFor();
    expect(await row.innerText()).toContain("4 × Stoneware mug (50.00)");
    expect(await row.locator('td[data-label="Value"]').innerText()).toBe("50.00");
    await page.screenshot({ path: "test-results/console-carts.png", fullPage: true });
    expect(problems).toEqual([]);
  });

  it("lists archived products under their filter and restores one into the catalog", async () => {
    const catalog = async () =>
      (await read(worker.api.products.$get({ query: { search: "brass" } }))).body.results.map((p) => p.id);
    // Read twice, so the answer without the lamp is the cached one the restore must make stale.
    await catalog();
    expect(await catalog()).not.toContain(lamp);
    const { page, problems } = await openConsole();
    await signIn(page, STAFF);
    await page.getByRole("link", { name: "Products" }).click();
    await page.getByLabel("Show").selectOption("archived");
    const row = page.locator(`tr[data-id="${lamp}"]`);
    await row.waitFor();
    await page.screenshot({ path: "test-results/console-archived.png", fullPage: true });
    await row.getByRole("button", { name: "Restore Brass lamp" }).click();
    await page.getByText("Restored “Brass lamp” to the catalog").waitFor();
    await expect.poll(() => row.count()).toBe(0);
    expect(await catalog()).toContain(lamp);
    await page.getByLabel("Show").selectOption("");
    await page.locator(`tr[data-id="${lamp}"]`).waitFor();
    expect(problems).toEqual([]);
  });
});
