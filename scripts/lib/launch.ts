// What `npm run dev`, `npm start` and `npm run stack` share: the configuration, the database and
// the local stack, migrations applied and said, what the caller serves in front of it (a Worker
// and its minute sweep, or nothing), and one way down (Ctrl-C, SIGTERM, or the server dying)
// that stops everything started.
import type { ChildProcess } from "node:child_process";
import { type DevConfig, loadDevConfig } from "./dev-config.ts";
import { applyMigrations } from "./migrate.ts";
import { openDatabase, type Stack, startStack } from "./stack.ts";

export interface Served {
  /** The server's process, whose exit stops the stack; none when the caller serves nothing. */
  child?: ChildProcess;
  /** What the ready line says. */
  ready: string;
  stop(): Promise<void>;
  /** Runs the Cron sweep once (the runtime has no Cron Triggers of its own here). */
  sweep?(): Promise<unknown>;
}

export async function launch(what: string, serve: (cfg: DevConfig, stack: Stack) => Promise<Served>): Promise<void> {
  const started = performance.now();
  const cfg = loadDevConfig();
  const database = await openDatabase(cfg, { publish: true });
  const stack = await startStack(cfg, database);
  let server: Served | undefined;
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
      `cache: ${cfg.REDIS_URL ? "Redis at REDIS_URL via the local Upstash endpoint" : stack.cache === "on" ? "the Upstash database .dev.vars names" : "off (set REDIS_URL to enable)"}`,
    );
    const running = await serve(cfg, stack);
    server = running;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`\n${running.ready} in ${seconds}s (${what}). Ctrl-C stops everything.\n`);
    // The minute sweep of undelivered notifications, which Cron Triggers run in production.
    const { sweep } = running;
    if (sweep)
      setInterval(() => {
        sweep().catch((err: unknown) =>
          console.error(JSON.stringify({ level: "warn", msg: "sweep failed", error: String(err) })),
        );
      }, 60_000).unref();
    running.child?.once("exit", (code) => {
      if (!stopping) {
        console.error(`${what} exited (${code}); stopping the stack`);
        void shutdown(1);
      }
    });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await shutdown(1);
  }
}
