// npm start: the production bundle (what `npm run deploy` uploads) on bare workerd, with the same
// local stack as `npm run dev`: the way to run the API on one's own machine or server.
import { join } from "node:path";
import { launch } from "./lib/launch.ts";
import { buildBundle, startWorkerd } from "./lib/workerd.ts";

await launch("production bundle on workerd", async (cfg, stack) => {
  const bundleDir = join(cfg.DATA_DIR, "bundle");
  await buildBundle(bundleDir);
  const server = await startWorkerd({
    port: cfg.PORT,
    vars: stack.vars,
    bundleDir,
    persistDir: join(cfg.DATA_DIR, "durable-objects"),
  });
  return { ...server, ready: `API ready at ${server.url}/api/` };
});
