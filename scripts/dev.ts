// npm run dev: the local stack and `wrangler dev` (reload, the inspector) in front of it.
import { launch } from "./lib/launch.ts";
import { startWranglerDev } from "./lib/wrangler.ts";

await launch("wrangler dev", async (cfg, stack) => {
  const server = await startWranglerDev({ port: cfg.PORT, vars: stack.vars });
  // wrangler dev fires a Cron Trigger when asked at this path.
  const sweep = async () => (await fetch(`${server.url}/__scheduled?cron=*+*+*+*+*`)).body?.cancel();
  return { ...server, sweep, ready: `API ready at ${server.url}/api/` };
});
