// The console's Webhooks page in headless Chromium, against a receiver on this machine: an
// endpoint is added and its secret shown once, a test event reaches the receiver and shows as
// delivered with its attempt log, the endpoint is disabled, and a URL the API refuses gets the
// API's message under the URL field.
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUser } from "../harness/fixtures";
import { browserTestsEnabled, launchChromium } from "../support/chromium.ts";
import { consoleSessions } from "./console-support";
import { useRunningWorker } from "./support";

const browserTest = browserTestsEnabled("the webhooks page browser tests are");
const STAFF = { username: "hooks_staff", password: "staff-pass-123" };

// The receiver is http on 127.0.0.1, which the API refuses unless told it runs locally.
const worker = useRunningWorker({ vars: (vars) => ({ ...vars, WEBHOOK_ALLOW_LOOPBACK: "true" }) });
let browser: Browser;
let receiver: Server;
let hookUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const contexts: BrowserContext[] = [];

/** Whether `secret` signed this request, by Standard Webhooks' rule (HMAC-SHA256 of id.timestamp.body). */
function signedWith(secret: string, { headers, body }: (typeof received)[number]) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`;
  const expected = `v1,${createHmac("sha256", key).update(signed).digest("base64")}`;
  return String(headers["webhook-signature"]).split(" ").includes(expected);
}
const { openConsole, signIn } = consoleSessions(worker, () => browser, contexts);

beforeAll(async () => {
  await makeUser(worker, { username: STAFF.username, password: STAFF.password, staff: true });
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  if (browserTest) browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function webhooksPage() {
  const session = await openConsole();
  await signIn(session.page, STAFF);
  await session.page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
  await session.page.getByRole("link", { name: "Webhooks" }).click();
  await session.page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
  return session;
}

/** The page's create form: the URL, the events ticked, then Add endpoint. */
async function addEndpoint(page: Page, url: string, events: string[], description = "") {
  const form = page.getByRole("form", { name: "Add an endpoint" });
  await form.getByLabel("URL", { exact: true }).fill(url);
  await form.getByLabel("Description (optional)").fill(description);
  for (const event of events) await form.getByRole("checkbox", { name: event }).check();
  await form.getByRole("button", { name: "Add endpoint" }).click();
  return form;
}

describe.runIf(browserTest)("the webhooks page in headless Chromium", () => {
  it("adds an endpoint and shows its secret once, delivers a test event, and disables the endpoint", async () => {
    const { page, problems } = await webhooksPage();
    await addEndpoint(page, hookUrl, ["order.created", "product.out_of_stock"], "Local receiver");
    const secretBox = page.locator(".secret-box");
    await secretBox.getByText("it will not be shown again").waitFor();
    const secret = await secretBox.getByLabel("Signing secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    // Focused and selected, ready to copy.
    const selected = await secretBox.getByLabel("Signing secret").evaluate((el) => {
      type Field = { value: string; selectionStart: number | null; selectionEnd: number | null };
      const focused = (el.ownerDocument as unknown as { activeElement: unknown }).activeElement === el;
      const input = el as unknown as Field;
      return focused ? input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0) : "";
    });
    expect(selected).toBe(secret);
    const row = page.locator("tbody tr", { hasText: hookUrl });
    await row.waitFor();
    expect(await row.locator('td[data-label="Events"]').innerText()).toBe("order.created\nproduct.out_of_stock");
    expect(await row.locator('td[data-label="State"]').innerText()).toBe("Active");
    expect(await row.locator('td[data-label="Deliveries"]').innerText()).toBe("0 delivered · 0 failed · 0 pending");

    await row.getByRole("button", { name: "Send test" }).click();
    await page.getByRole("heading", { name: `Deliveries to ${hookUrl}` }).waitFor();
    const delivery = page.locator(".deliveries tbody tr", { hasText: "webhook.test" });
    // The page re-reads pending deliveries by itself; no clicking Refresh.
    await expect
      .poll(
        () =>
          delivery
            .locator('td[data-label="Status"]')
            .innerText()
            .catch(() => ""),
        { timeout: 30_000 },
      )
      .toBe("delivered");
    expect(received.map((r) => JSON.parse(r.body).type)).toEqual(["webhook.test"]);
    // The secret the page showed is the one the delivery is signed with.
    expect(signedWith(secret, received[0]!)).toBe(true);
    expect(await delivery.locator('td[data-label="Last status"]').innerText()).toContain("200");
    await delivery.getByText("1 attempt", { exact: true }).click();
    expect(await delivery.locator(".attempt-log li").innerText()).toMatch(/^200 · \d+ ms · /);
    // The endpoint's figures follow once the delivery settled.
    await expect
      .poll(() => row.locator('td[data-label="Deliveries"]').innerText())
      .toBe("1 delivered · 0 failed · 0 pending");
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/console-webhooks.png", fullPage: true });

    await row.getByRole("button", { name: "Disable" }).click();
    await expect.poll(() => row.locator('td[data-label="State"]').innerText()).toContain("Disabled");
    await row.getByRole("button", { name: "Enable" }).waitFor();

    // Once only: after a reload the secret is nowhere on the page, and the list is as it was.
    await page.reload();
    await row.waitFor();
    expect(await page.locator(".secret-box").count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    expect(problems).toEqual([]);
  });

  it("shows the API's refusal of a URL under the URL field", async () => {
    const { page, problems } = await webhooksPage();
    const form = await addEndpoint(page, "ftp://x", ["order.created"]);
    const url = form.getByLabel("URL", { exact: true });
    await expect.poll(() => url.getAttribute("aria-invalid")).toBe("true");
    // Under the field it describes, not at the form's top.
    const message = form.locator(`#${await url.getAttribute("aria-describedby")}`);
    expect(await message.innerText()).toBe("Only https URLs are allowed.");
    expect(await form.locator(".form-error").textContent()).toBe("");
    expect(await page.locator(".secret-box").count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
