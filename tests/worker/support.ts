import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import app from "../../src/app";
import type { Bindings } from "../../src/config";
import { createDb } from "../../src/db/client";
import { createTestDatabase, type TestStack, uniqueName, workerVars } from "../support/stack";
import { expectDocumented } from "./documented";

export interface WorkerHarness {
  env: Bindings;
  stack: TestStack;
  /** Calls the real app inside workerd with this file's own database and Redis prefix. */
  request(path: string, init?: RequestInit, overrides?: Partial<Bindings>): Promise<Response>;
  /** Runs SQL on this file's database through the Neon driver. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

/** Clones the migrated template into a database of this file's own. */
export async function setupWorker(): Promise<WorkerHarness> {
  const stack = inject("stack");
  const { url, drop } = await createTestDatabase(stack);
  const fileEnv = { ...env, ...workerVars(stack, url, `${uniqueName("w")}:`) } as Bindings;
  return {
    env: fileEnv,
    stack,
    async request(path, init, overrides) {
      const ctx = createExecutionContext();
      const res = await app.request(path, init, overrides ? { ...fileEnv, ...overrides } : fileEnv, ctx);
      await waitOnExecutionContext(ctx);
      await expectDocumented(init?.method ?? "GET", path, res);
      return res;
    },
    async query(text, params) {
      const { pool } = createDb({ DATABASE_URL: url, PG_WS_PROXY: stack.pgProxy, PG_WS_PROXY_KEY: stack.secret });
      try {
        return (await pool.query(text, params)).rows;
      } finally {
        await pool.end();
      }
    },
    drop,
  };
}

export const json = (body: unknown, init: RequestInit = {}): RequestInit => ({
  ...init,
  method: init.method ?? "POST",
  headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
  body: typeof body === "string" ? body : JSON.stringify(body),
});
