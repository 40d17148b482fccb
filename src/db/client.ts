import { type NeonQueryFunction, neon, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import type { Config } from "../config";
import * as schema from "./schema";

/**
 * The database through Neon's HTTP query path: each statement, or each `db.batch([...])` (one
 * transaction), is one HTTPS request, answered by Neon's proxy on connections it keeps. Nothing
 * here holds a connection, so one instance per configuration serves every request of an isolate.
 * No interactive transaction exists on this path, on purpose: a request's checks and writes are
 * written as one statement or one batch (README "Data path").
 */
export type Db = NeonHttpDatabase<typeof schema>;

/** The statements a service needs. */
export type Sql = Pick<Db, "execute" | "select">;

type DbConfig = Pick<Config, "DATABASE_URL" | "NEON_SQL_ENDPOINT" | "NEON_SQL_KEY" | "DB_CONNECT_TIMEOUT_MS">;

export interface Connection {
  db: Db;
  /** The driver itself, for SQL written as text with `$1` placeholders (scripts and tests). */
  sql: NeonQueryFunction<false, false>;
}

const made = new WeakMap<DbConfig, Connection>();

export function connect(config: DbConfig): Connection {
  let found = made.get(config);
  if (!found) {
    // Locally the driver posts to the stand-in for Neon's endpoint (scripts/local/neon-http.ts).
    if (config.NEON_SQL_ENDPOINT) neonConfig.fetchEndpoint = config.NEON_SQL_ENDPOINT;
    const timeout = config.DB_CONNECT_TIMEOUT_MS;
    const sql = neon(config.DATABASE_URL, {
      // The stand-in wants the run's secret; Neon itself authenticates by the connection string.
      ...(config.NEON_SQL_KEY ? { authToken: config.NEON_SQL_KEY } : {}),
      // Merged into every fetch the driver makes: a getter, so each round trip gets its own deadline.
      fetchOptions: {
        get signal() {
          return AbortSignal.timeout(timeout);
        },
      },
    });
    found = { db: drizzle({ client: sql, schema }), sql };
    made.set(config, found);
  }
  return found;
}
