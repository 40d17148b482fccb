// npm run stack: the local stack alone (the database or embedded PGlite, the Neon and Upstash
// stand-ins, migrations), for a plain `npx wrangler dev` in another terminal. The Neon driver
// speaks HTTP and WebSocket, not Postgres's own protocol, and the Upstash client speaks REST, so
// a Worker reaches this machine's Postgres and Redis only through such endpoints. Their
// addresses and per-run secrets go into `.dev.vars`, where wrangler reads the Worker's
// variables, and leave it on stop.

import { removeStackBlock, writeStackBlock } from "./lib/dev-vars.ts";
import { launch } from "./lib/launch.ts";

const file = ".dev.vars";

await launch("npm run stack", async (_cfg, stack) => {
  writeStackBlock(file, stack.own);
  // A second Ctrl-C or a crash must not leave secrets of a dead run behind either.
  process.once("exit", () => removeStackBlock(file));
  return {
    ready: `Stack ready: its endpoints are in ${file}; run \`npx wrangler dev\` beside it`,
    stop: async () => removeStackBlock(file),
  };
});
