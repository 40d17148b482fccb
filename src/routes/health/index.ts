import { sql } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { log } from "../../lib/log";

const health = new Hono<AppEnv>().get("/health", async (c) => {
  const [db, cache] = await Promise.all([
    c.var.db.execute(sql`select 1`).then(
      () => "ok" as const,
      (err: unknown) => {
        log("error", "health: database unreachable", { requestId: c.var.requestId, error: String(err) });
        return "down" as const;
      },
    ),
    c.var.cache.ping(),
  ]);
  const status = db === "ok" && cache !== "down" ? "ok" : "degraded";
  return c.json({ status, db, cache, version: c.var.config.APP_VERSION }, db === "ok" ? 200 : 503);
});

export default health;
