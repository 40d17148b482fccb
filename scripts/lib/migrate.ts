import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { withClient } from "./pg.ts";

const migrationsFolder = fileURLToPath(new URL("../../migrations", import.meta.url));

/** Applies drizzle-kit's migrations; already-applied ones are skipped (drizzle keeps a journal table). */
export function applyMigrations(databaseUrl: string): Promise<void> {
  return withClient(databaseUrl, async (client) => {
    // Silence "relation already exists, skipping" notices from the journal setup.
    await client.query("SET client_min_messages TO warning");
    await migrate(drizzle({ client }), { migrationsFolder });
  });
}

export interface MigrationStatus {
  /** This checkout's migrations the database has not had yet, in order (their tags). */
  pending: string[];
  /**
   * Migrations the database had that this checkout does not know (by the time drizzle recorded):
   * a newer Worker migrated it, so deploying this one would run it against a schema it was not
   * written for.
   */
  unknown: number[];
}

/** What `applyMigrations` would do, read without writing (drizzle's rule: by time, after the last applied). */
export function migrationStatus(databaseUrl: string): Promise<MigrationStatus> {
  const { entries } = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, "utf8")) as {
    entries: { when: number; tag: string }[];
  };
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client
      .query<{ created_at: string }>("SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at")
      .catch((err: { code?: string }) => {
        // Never migrated: no journal table yet.
        if (err.code === "42P01") return { rows: [] };
        throw err;
      });
    const applied = rows.map((r) => Number(r.created_at));
    const last = applied.at(-1) ?? -1;
    const known = new Set(entries.map((e) => e.when));
    return {
      pending: entries.filter((e) => e.when > last).map((e) => e.tag),
      unknown: applied.filter((t) => !known.has(t)),
    };
  });
}
