import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { offlineEnv, wranglerBin } from "./lib/wrangler.ts";

/**
 * The production bundle as `wrangler deploy` would upload it, gzipped, against a fixed budget:
 * far below Workers' own limit (3 MiB on the free plan), there to catch a dependency that drags
 * in what we never call (zod's locales did, 60 KiB). Raised from 200 to 215 KiB for webhooks (#20),
 * which added about 9 KiB of our own code.
 */
const BUDGET_KIB = 215;
const outdir = "dist";

rmSync(outdir, { recursive: true, force: true });
execFileSync(wranglerBin, ["deploy", "--dry-run", "--outdir", outdir, "--env", "production"], {
  env: { ...process.env, ...offlineEnv },
  stdio: ["ignore", "ignore", "inherit"],
});
const bundle = readFileSync(`${outdir}/index.js`);
const raw = bundle.length / 1024;
const gzipped = gzipSync(bundle, { level: 9 }).length / 1024;
console.log(`bundle: ${raw.toFixed(1)} KiB, gzipped ${gzipped.toFixed(1)} KiB (budget ${BUDGET_KIB} KiB gzipped)`);
if (gzipped > BUDGET_KIB) {
  console.error(`over budget by ${(gzipped - BUDGET_KIB).toFixed(1)} KiB`);
  process.exit(1);
}
