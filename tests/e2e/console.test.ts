import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, ID, read } from "../harness/client";
import { makeCategory, makeProduct, makeUser, type Placed, register } from "../harness/fixtures";
import { browserTestsEnabled, launchChromium } from "../support/chromium.ts";
import { consoleSessions } from "./console-support";
import { useRunningWorker } from "./support";

const browserTest = browserTestsEnabled("the staff console browser tests are");

const STAFF = { username: "console_staff", password: "staff-pass-123" };
const CUSTOMER = { username: "console_customer", email: "customer@example.com", password: "customer-pass-123" };

const worker = useRunningWorker();
let browser: Browser;
let customerAccess: string;
let keyboardId: number;
const contexts: BrowserContext[] = [];

const product = (id: number) => read(worker.api.products[ID].$get(at(id)));

/** The customer buys one of `productId`; returns the order id. */
async function placeOrder(productId: number): Promise<number> {
  const customer = worker.as(customerAccess);
  expect((await customer.orders.cart.add_item.$post({ json: { product_id: productId, quantity: 1 } })).status).toBe(
    200,
  );
  const placed = await customer.orders.$post({
    json: { shipping_address: "42 Harbour Road\nPort Town 1234", phone_number: "+44 20 7946 0000" },
  });
  expect(placed.status).toBe(201);
  return ((await placed.json()) as Placed).order.id;
}

beforeAll(async () => {
  await makeUser(worker, {
    username: STAFF.username,
    email: "staff@example.com",
    password: STAFF.password,
    staff: true,
    firstName: "Sam",
  });
  const registered = await register(worker, {
    ...CUSTOMER,
    password2: CUSTOMER.password,
    first_name: "Casey",
    last_name: "Buyer",
  });
  expect(registered.status).toBe(201);
  customerAccess = registered.body.tokens.access;
  const keyboards = await makeCategory(worker, "Keyboards", "Mechanical and split");
  const mice = await makeCategory(worker, "Mice", "");
  const minutesAgo = (n: number) => n * 60;
  keyboardId = await makeProduct(worker, {
    name: "Split keyboard",
    description: "Ergonomic, hot-swap",
    price: "149.00",
    stock: 7,
    category: keyboards,
    age: minutesAgo(5),
  });
  for (const [name, description, price, stock, category, age] of [
    ["Tenkeyless board", "Compact", "89.50", 25, keyboards, 4],
    ["Trackball", "Thumb operated", "59.99", 0, mice, 3],
    ["Vertical mouse", "Wireless", "39.00", 120, mice, 2],
    ["Keycap set", "PBT, 140 keys", "1299.99", 3, keyboards, 1],
  ] as const)
    await makeProduct(worker, { name, description, price, stock, category, age: minutesAgo(age) });
  if (browserTest) browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const { openConsole, signIn } = consoleSessions(worker, () => browser, contexts);

async function signedIn(viewport?: { width: number; height: number }) {
  const session = await openConsole(viewport);
  await signIn(session.page, STAFF);
  // The dashboard is the landing page (tests/e2e/dashboard.test.ts).
  await session.page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
  await expect.poll(() => session.page.locator("#live").innerText()).toBe("Live");
  return session;
}

describe("the console's files", () => {
  it("are served by this Worker at /admin/ with a same-origin Content-Security-Policy", async () => {
    // The console's static files, not operations of the API: plain fetches.
    const res = await fetch(`${worker.url}/admin/`);
    expect([res.status, res.headers.get("content-type")]).toEqual([200, expect.stringContaining("text/html")]);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    for (const [, src] of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(src).toMatch(/^(\/admin\/|#|data:)/);
    const script = await fetch(`${worker.url}/admin/app.js`);
    expect([script.status, script.headers.get("content-type"), script.headers.get("x-content-type-options")]).toEqual([
      200,
      expect.stringContaining("javascript"),
      "nosniff",
    ]);
    await script.arrayBuffer();
    const bare = await fetch(`${worker.url}/admin`, { redirect: "manual" });
    expect([bare.status, new URL(bare.headers.get("location") ?? "", worker.url).pathname]).toEqual([307, "/admin/"]);
  });
});

describe.runIf(browserTest)("the staff console in headless Chromium", () => {
  afterAll(async () => {
    for (const context of contexts) await context.close();
  });

  it("refuses a customer with a clear message and revokes the tokens that sign-in made", async () => {
    const { page, problems } = await openConsole();
    await signIn(page, CUSTOMER);
    await expect.poll(() => page.getByRole("alert").innerText()).toContain("not a staff account");
    expect(await page.locator("#bar").isHidden()).toBe(true);
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/console-signin-refused.png" });
    // Register made one family; the console's login made a second, which it revoked at once.
    const rows = await worker.query(
      "select count(*) filter (where revoked_at is null)::int as open, count(*)::int as total from token_families f join users u on u.id = f.user_id where u.username = $1",
      [CUSTOMER.username],
    );
    expect(rows[0]).toEqual({ open: 1, total: 2 });
    expect(problems).toEqual([]);
  });

  it("keeps the session across a reload, rotates the refresh token when the access token is bad, and signing out revokes it", async () => {
    const { page, problems } = await signedIn();
    const stored = () =>
      page.evaluate(
        () =>
          JSON.parse(sessionStorage.getItem("edge-shop.console.session") ?? "{}") as {
            access: string;
            refresh: string;
          },
      );
    const first = await stored();
    // An access token the server refuses: the console must refresh (rotating) and carry on.
    await page.evaluate(() => {
      const key = "edge-shop.console.session";
      sessionStorage.setItem(
        key,
        JSON.stringify({ ...JSON.parse(sessionStorage.getItem(key)!), access: "not-a-token" }),
      );
    });
    await page.reload();
    await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    expect(await page.locator("#who").innerText()).toBe(STAFF.username);
    const { refresh } = await stored();
    expect(refresh).not.toBe(first.refresh);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("edge-shop.console.session"))).toBeNull();
    expect((await worker.api.auth.token.refresh.$post({ json: { refresh } })).status).toBe(401);
    expect(problems).toEqual([]);
  });

  it("edits stock and price in the product list, showing the API's validation messages", async () => {
    const { page, problems } = await signedIn();
    await page.getByRole("link", { name: "Products" }).click();
    const row = page.locator(`tr[data-id="${keyboardId}"]`);
    const stock = row.getByLabel("Stock of Split keyboard");
    await stock.fill("42");
    await stock.press("Enter");
    await row.getByText("Saved").waitFor();
    expect((await product(keyboardId)).body).toMatchObject({ stock: 42, in_stock: true });

    const price = row.getByLabel("Price of Split keyboard");
    await price.fill("-5");
    await price.press("Enter");
    await row.getByText("Ensure this value is greater than 0.").waitFor();
    expect(await price.getAttribute("aria-invalid")).toBe("true");
    expect((await product(keyboardId)).body.price).toBe("149.00");

    await page.getByLabel("Stock", { exact: true }).selectOption("low");
    await page.locator("tbody tr").first().waitFor();
    await expect.poll(() => page.locator("tbody tr").count()).toBe(1);
    await page.getByLabel("Stock", { exact: true }).selectOption("");
    await page.locator(`tr[data-id="${keyboardId}"]`).waitFor();
    const fresh = page.locator(`tr[data-id="${keyboardId}"]`).getByLabel("Price of Split keyboard");
    await fresh.fill("12.345");
    await fresh.press("Enter");
    await page.getByText("Ensure that there are no more than 2 decimal places.").waitFor();
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/console-products.png", fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: "test-results/console-products-phone.png", fullPage: true });
    expect(problems).toEqual([]);
  });

  it("shows an order placed by a customer without a reload", async () => {
    const { page, problems } = await signedIn();
    await page.getByRole("link", { name: "Orders", exact: true }).click();
    await page.getByRole("heading", { name: "Orders", level: 1 }).waitFor();
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    const id = await placeOrder(keyboardId);
    await page.locator(`tr[data-id="${id}"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator(`tr[data-id="${id}"]`).innerText()).toContain(CUSTOMER.username);
    await page.getByText(`Order #${id} was placed`).waitFor();
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.locator(`tr[data-id="${id}"] td[data-label="Total"]`).innerText()).toBe("149.00");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: "test-results/console-orders-phone.png", fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator(`tr[data-id="${id}"]`).getByRole("link", { name: CUSTOMER.username }).click();
    await page.getByRole("heading", { name: CUSTOMER.username, level: 1 }).waitFor();
    await page.locator(`tr[data-id="${id}"]`).waitFor();
    expect(await page.locator("dl").first().innerText()).toContain("Casey Buyer");
    await page.screenshot({ path: "test-results/console-customer.png", fullPage: true });
    expect(problems).toEqual([]);
  });

  it("manages categories: counts, create, rename, and the API's refusal to delete one with products", async () => {
    const { page, problems } = await signedIn();
    await page.getByRole("link", { name: "Categories" }).click();
    const keyboards = page.locator("tbody tr", { hasText: "Keyboards" });
    await expect.poll(() => keyboards.locator('td[data-label="Products"]').innerText()).toBe("3");
    await page.getByLabel("New category").fill("Cables");
    await page.getByRole("button", { name: "Add category" }).click();
    await page.locator("tbody tr", { hasText: "Cables" }).waitFor();
    await page.getByRole("button", { name: "Add category" }).click();
    await page.getByText("This field may not be blank.").waitFor();

    await page.locator("tbody tr", { hasText: "Cables" }).getByRole("button", { name: "Rename" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("keyboards");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.getByText("category with this name already exists.").waitFor();
    await dialog.getByLabel("Name").fill("USB cables");
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.locator("tbody tr", { hasText: "USB cables" }).waitFor();

    await keyboards.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await page.getByRole("alert").getByText("Cannot delete a category that still has products").waitFor();
    await page.locator("tbody tr", { hasText: "USB cables" }).getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect.poll(() => page.locator("tbody tr", { hasText: "USB cables" }).count()).toBe(0);
    await page.screenshot({ path: "test-results/console-categories.png", fullPage: true });
    expect(problems).toEqual([]);
  });

  it("changes an order's status with its buttons, and the customer's WebSocket receives it", async () => {
    const id = await placeOrder(keyboardId);
    const customerSocket = await worker.connect(`/ws/orders/notifications/?token=${customerAccess}`);
    const received = customerSocket.messages;
    await expect.poll(() => received[0]?.type).toBe("connection_established");

    const { page, problems } = await signedIn();
    await page.goto(`${worker.url}/admin/#/orders/${id}`);
    await page.getByRole("heading", { name: `Order #${id}` }).waitFor();
    const buttons = page.getByRole("group", { name: "Change status" }).getByRole("button");
    await expect.poll(() => buttons.allInnerTexts()).toEqual(["Mark processing", "Mark shipped", "Cancel order"]);
    await page.getByRole("button", { name: "Mark shipped" }).click();
    await expect
      .poll(() => received.find((m) => m.type === "order_update" && m.order_id === id)?.status, { timeout: 10_000 })
      .toBe("shipped");
    await expect.poll(() => buttons.allInnerTexts()).toEqual(["Mark delivered"]);
    expect(await page.locator(".history li").count()).toBe(2);
    expect(await page.locator(".history").innerText()).toContain(`by ${STAFF.username}`);
    await page.screenshot({ path: "test-results/console-order.png", fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: "test-results/console-order-phone.png", fullPage: true });
    customerSocket.ws!.close();
    expect(problems).toEqual([]);
  });

  it("reconnects after a dropped feed and catches up with ?since=", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const routes: WebSocketRoute[] = [];
    let missed: number | undefined;
    await page.routeWebSocket(/\/ws\/admin\/orders\//, async (ws) => {
      routes.push(ws);
      if (routes.length === 2) {
        // While this reconnection waits, an order is placed and reaches the staff hub.
        missed = await placeOrder(keyboardId);
        await expect
          .poll(
            async () =>
              (await worker.query("select delivered_at from order_events where order_id = $1", [missed]))[0]
                ?.delivered_at,
          )
          .not.toBeNull();
      }
      ws.connectToServer();
    });
    await page.goto(`${worker.url}/admin/`);
    await signIn(page, STAFF);
    await expect.poll(() => page.locator("#live").innerText()).toBe("Live");
    await page.getByRole("link", { name: "Orders", exact: true }).click();
    const seen = await placeOrder(keyboardId);
    await page.getByText(`Order #${seen} was placed`).waitFor();

    await routes[0]!.close({ code: 1006, reason: "dropped" }).catch(() => routes[0]!.close());
    await expect.poll(() => page.locator("#live").getAttribute("data-state")).toBe("reconnecting");
    await expect.poll(() => missed, { timeout: 10_000 }).toBeDefined();
    await page.getByText(`Order #${missed} was placed`).waitFor({ timeout: 10_000 });
    expect(new URL(routes[1]!.url()).searchParams.get("since")).toMatch(/^\d+$/);
    await expect.poll(() => page.locator("#live").innerText()).toBe("Live");
    await page.locator(`tr[data-id="${missed}"]`).waitFor();
  });
});
