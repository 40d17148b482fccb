// What the console's browser tests share: a fresh browser session that records every problem
// (page errors, console errors, requests leaving the origin) and a keyboard-only sign-in.
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import type { E2eHarness } from "./support";

export function consoleSessions(worker: E2eHarness, browser: () => Browser, contexts: BrowserContext[]) {
  /** A fresh browser session that fails the test on a page error, a failed request or a request leaving the origin. */
  async function openConsole(
    viewport = { width: 1280, height: 900 },
    options: Omit<BrowserContextOptions, "viewport"> = {},
  ) {
    const context = await browser().newContext({ viewport, ...options });
    contexts.push(context);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      // Chromium logs every 4xx answer; the API's refusals are part of these tests.
      if (
        msg.type() === "error" &&
        !/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())
      ) {
        problems.push(`console: ${msg.text()}`);
      }
    });
    page.on("request", (req) => {
      if (
        !req.url().startsWith(worker.url) &&
        !req.url().startsWith("data:") &&
        !req.url().startsWith(worker.url.replace(/^http/, "ws"))
      ) {
        problems.push(`left the origin: ${req.url()}`);
      }
    });
    await page.goto(`${worker.url}/admin/`);
    return { page, problems };
  }

  /** Signs in with the keyboard only: type, Tab, type, Enter. */
  async function signIn(page: Page, who: { username: string; password: string }) {
    await page.getByLabel("Username").waitFor();
    await page.keyboard.type(who.username);
    await page.keyboard.press("Tab");
    await page.keyboard.type(who.password);
    await page.keyboard.press("Enter");
  }

  return { openConsole, signIn };
}
