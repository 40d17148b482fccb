// npm start: the production bundle (what `npm run deploy` uploads) on bare workerd, with the same
// local stack as `npm run dev`: the way to run the API on one's own machine or server.
import { join } from "node:path";
import { loadDevConfig } from "./lib/dev-config.ts";
import { applyMigrations } from "./lib/migrate.ts";
import { openDatabase, startStack } from "./lib/stack.ts";
import { buildBundle, startWorkerd, type Workerd } from "./lib/workerd.ts";

const started = performance.now();
const cfg = loadDevConfig();
const database = await openDatabase(cfg, { publish: true });
const stack = await startStack(cfg, database);
let server: Workerd | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await server?.stop();
    await stack.close();
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  await applyMigrations(database.url);
  console.log(
    `database: ${database.embedded ? `embedded PGlite in ${cfg.DATA_DIR}/pg` : "DATABASE_URL"} (migrations applied)`,
  );
  console.log(
    `cache: ${stack.cache === "on" ? "Redis at REDIS_URL via the local Upstash endpoint" : "off (set REDIS_URL to enable)"}`,
  );
  const bundleDir = join(cfg.DATA_DIR, "bundle");
  await buildBundle(bundleDir);
  server = await startWorkerd({
    port: cfg.PORT,
    vars: stack.vars,
    bundleDir,
    persistDir: join(cfg.DATA_DIR, "durable-objects"),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `\nAPI ready at ${server.url}/api/ in ${seconds}s (production bundle on workerd). Ctrl-C stops everything.\n`,
  );
  // workerd alone has no Cron Triggers: the minute sweep of undelivered notifications, from here.
  const sweep = setInterval(() => {
    server
      ?.sweep()
      .catch((err: unknown) =>
        console.error(JSON.stringify({ level: "warn", msg: "sweep failed", error: String(err) })),
      );
  }, 60_000);
  sweep.unref();
  server.child.once("exit", (code) => {
    if (!stopping) {
      console.error(`workerd exited (${code}); stopping the stack`);
      void shutdown(1);
    }
  });
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  await shutdown(1);
}
