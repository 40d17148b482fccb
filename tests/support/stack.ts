/** What the global setup hands every test file (plain data: it crosses into workerd). */
export interface TestStack {
  /** Loopback HTTP endpoint that makes and drops a migrated database per test file. */
  databases: string;
  /** This run's local stack secret: the database endpoint and the Neon-style proxy require it. */
  secret: string;
  database: "postgres" | "pglite";
  /** The stand-in for Neon's HTTP SQL endpoint (scripts/local/neon-http.ts). */
  sqlEndpoint: string;
  redis: { restUrl: string; token: string; directUrl: string } | null;
}

declare module "vitest" {
  export interface ProvidedContext {
    stack: TestStack;
    /** True under `npm run test:stress` (STRESS=1): the reliability suite scales its counts up. */
    stress: boolean;
    /** The runtime the e2e harness starts the app on: workerd (wrangler), or Deno in the `e2e-deno` project. */
    runtime: "workerd" | "deno";
  }
}

export const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

export const uniqueName = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;

/** A fresh migrated database of this file's own; works from Node and from inside workerd. */
export async function createTestDatabase(stack: TestStack): Promise<{ url: string; drop(): Promise<void> }> {
  const auth = { authorization: `Bearer ${stack.secret}` };
  const res = await fetch(stack.databases, { method: "POST", headers: auth });
  if (!res.ok) throw new Error(`could not create a test database: ${await res.text()}`);
  const { url } = (await res.json()) as { url: string };
  return {
    url,
    drop: async () => {
      await fetch(`${stack.databases}?url=${encodeURIComponent(url)}`, { method: "DELETE", headers: auth });
    },
  };
}

/** Vars a Worker under test needs; each file brings its own database and Redis prefix. */
export function workerVars(stack: TestStack, databaseUrl: string, redisPrefix: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    NEON_SQL_ENDPOINT: stack.sqlEndpoint,
    NEON_SQL_KEY: stack.secret,
    JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-0123456789",
    REDIS_PREFIX: redisPrefix,
    LOG_REQUESTS: "false",
    ...(stack.redis
      ? { UPSTASH_REDIS_REST_URL: stack.redis.restUrl, UPSTASH_REDIS_REST_TOKEN: stack.redis.token }
      : {}),
  };
}

/** The quick count under `npm test`, the stress one under `npm run test:stress`. */
export const scaled = (stress: boolean, quick: number, heavy: number) => (stress ? heavy : quick);
