// Fills public/ (Workers static assets, not in git) with the docs page's and the staff console's browser files.
// wrangler runs it as the [build] command before `wrangler dev`, `deploy` and each test
// Worker start. Plain JavaScript so any Node on PATH runs it, not only the pinned one.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "public");
const swaggerUi = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const uplot = join(dirname(createRequire(import.meta.url).resolve("uplot/package.json")), "dist");

/**
 * Test files start Workers in parallel, each running this script while others read public/:
 * an unchanged file is left alone, a changed one is replaced whole by a rename.
 */
function put(dest, content) {
  if (existsSync(dest) && readFileSync(dest).equals(content)) return;
  const tmp = `${dest}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, dest);
}

mkdirSync(join(out, "docs-assets"), { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"]) {
  put(join(out, "docs-assets", file), readFileSync(join(swaggerUi, file)));
}
put(join(out, "docs-assets", "docs.js"), readFileSync(join(root, "src/openapi/swagger-init.js")));
// The staff console (README "Staff console"): its files as they are in src/console/, at /admin/.
mkdirSync(join(out, "admin"), { recursive: true });
for (const file of readdirSync(join(root, "src/console"))) {
  if (!file.endsWith(".d.ts")) put(join(out, "admin", file), readFileSync(join(root, "src/console", file)));
}
// The console talks to the API through @edge-shop/client (packages/client), one ES module here.
const client = await build({
  entryPoints: [join(root, "packages/client/src/index.ts")],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  write: false,
  legalComments: "none",
});
put(join(out, "admin", "client.js"), Buffer.from(client.outputFiles[0].contents));
// The dashboard's charts: uPlot (pinned in package.json), from our own origin like everything else.
// Its minified build (22 KB gzipped, half its ES module's size) declares one `var uPlot`: exported,
// that makes it a module the dashboard imports.
put(
  join(out, "admin", "uplot.js"),
  Buffer.concat([readFileSync(join(uplot, "uPlot.iife.min.js")), Buffer.from("\nexport default uPlot;\n")]),
);
put(join(out, "admin", "uplot.min.css"), readFileSync(join(uplot, "uPlot.min.css")));
put(join(out, "admin", "uplot.LICENSE"), readFileSync(join(uplot, "..", "LICENSE")));
// Static assets never reach the Worker, so their headers are set here (Workers' _headers file).
put(
  join(out, "_headers"),
  Buffer.from(`/docs-assets/*
  X-Content-Type-Options: nosniff
  Cross-Origin-Resource-Policy: same-origin
  Referrer-Policy: no-referrer
/admin/*
  X-Content-Type-Options: nosniff
  Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'
  X-Frame-Options: DENY
  Cross-Origin-Opener-Policy: same-origin
  Referrer-Policy: no-referrer
`),
);
