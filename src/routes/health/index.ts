import { sql } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import type { AppEnv } from "../../context";
import { log } from "../../lib/log";
import { doc } from "../../openapi/describe";

export const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    db: z.enum(["ok", "down"]),
    cache: z.enum(["ok", "down", "off"]),
    version: z.string(),
  })
  .meta({ id: "Health" });

const healthDoc = doc({
  tag: "operations",
  summary: "Health of the database and the cache",
  ok: { status: 200, description: "The database answers (`cache` may still be `down` or `off`)", schema: Health },
  responses: { 503: { description: "The database does not answer", schema: Health } },
});

const health = new Hono<AppEnv>().get("/health", healthDoc, async (c) => {
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
  const body: z.infer<typeof Health> = { status, db, cache, version: c.var.config.APP_VERSION };
  return c.json(body, db === "ok" ? 200 : 503);
});

export default health;
