import { loadDevConfig } from "./lib/dev-config.ts";
import { applyMigrations } from "./lib/migrate.ts";
import { openDatabase, startStack } from "./lib/stack.ts";
import { startWranglerDev } from "./lib/wrangler.ts";

const started = performance.now();
const cfg = loadDevConfig();
const database = await openDatabase(cfg, { publish: true });
const stack = await startStack(cfg, database);
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

let server: Awaited<ReturnType<typeof startWranglerDev>> | undefined;
try {
  await applyMigrations(database.url);
  console.log(
    `database: ${database.embedded ? `embedded PGlite in ${cfg.DATA_DIR}/pg` : "DATABASE_URL"} (migrations applied)`,
  );
  console.log(
    `cache: ${stack.cache === "on" ? "Redis at REDIS_URL via the local Upstash endpoint" : "off (set REDIS_URL to enable)"}`,
  );
  server = await startWranglerDev({ port: cfg.PORT, vars: stack.vars });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\nAPI ready at ${server.url}/api/ in ${seconds}s. Ctrl-C stops everything.\n`);
  // wrangler dev does not fire Cron Triggers by itself; this stands in for the minute cron.
  const sweep = setInterval(() => {
    fetch(`${server!.url}/__scheduled?cron=*+*+*+*+*`).catch(() => {});
  }, 60_000);
  sweep.unref();
  server.child.once("exit", (code) => {
    if (!stopping) {
      console.error(`wrangler dev exited (${code}); stopping the stack`);
      void shutdown(1);
    }
  });
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  await shutdown(1);
}
