import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import type { Config } from "../config";
import * as schema from "./schema";

export type Db = NeonDatabase<typeof schema>;

/**
 * A pool lives for one request: workerd forbids reusing its sockets across requests.
 * Locally the Neon driver reaches Postgres through a plain-ws proxy instead of Neon's.
 */
export function createDb(
  config: Pick<Config, "DATABASE_URL" | "PG_WS_PROXY" | "PG_WS_PROXY_KEY"> &
    Partial<Pick<Config, "DB_CONNECT_TIMEOUT_MS">>,
): { db: Db; pool: Pool } {
  const proxy = config.PG_WS_PROXY;
  if (proxy) {
    const key = encodeURIComponent(config.PG_WS_PROXY_KEY ?? "");
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}&key=${key}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS ?? 5000,
  });
  // An idle client error must not become an unhandled rejection that kills the isolate.
  pool.on("error", () => {});
  return { db: drizzle({ client: pool, schema }), pool };
}

/** The statements a service needs; both the request's `db` and a transaction's `tx` provide them. */
export type Sql = Pick<Db, "execute" | "select">;
