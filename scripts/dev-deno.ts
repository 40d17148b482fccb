// npm run dev:deno: the same local stack as `npm run dev`, with the API served by Deno (src/deno.ts).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { startDeno } from "./lib/deno.ts";
import { launch } from "./lib/launch.ts";

await launch("Deno", async (cfg, stack) => {
  // What wrangler's [build] command does before `wrangler dev`: the docs page's and the console's files.
  const built = spawnSync(process.execPath, ["scripts/build-assets.mjs"], { stdio: "inherit" });
  if (built.status !== 0) throw new Error("building public/ failed");
  const server = await startDeno({ port: cfg.PORT, vars: stack.vars, kvPath: join(cfg.DATA_DIR, "deno-kv.sqlite") });
  return { ...server, ready: `API ready at ${server.url}/api/` };
});
