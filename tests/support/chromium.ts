import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium (`apt-get install -y chromium`); .ci/run installs it. */
export const CHROMIUM = "/usr/bin/chromium";

// Root on a machine with no outside network: no sandbox, and none of Chromium's own
// background connections (they are refused here, many at a time).
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Whether a file's browser tests run: without Chromium they are skipped with a loud warning,
 * except with CI=true, where they run and fail at launch.
 */
export function browserTestsEnabled(what: string): boolean {
  if (existsSync(CHROMIUM) || process.env.CI === "true") return true;
  console.warn(`\n!!! ${CHROMIUM} is missing: ${what} SKIPPED (apt-get install -y chromium).\n`);
  return false;
}

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: ARGS });
