import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, inject } from "vitest";
import app from "../../src/app";
import { type Bindings, readConfig } from "../../src/config";
import { createDb } from "../../src/db/client";
import { type Client, type ClientOptions, typedClient } from "../harness/client";
import { type ApiDocument, documentChecker } from "../harness/documented";
import { type Host, type HubClient, hubClient } from "../harness/fixtures";
import { createTestDatabase, type TestStack, uniqueName, workerVars } from "../support/stack";
import { loadDocument } from "./openapi-support";

/** Every answer a worker test receives is checked against the document the app serves (tests/harness/documented.ts). */
export const expectDocumented = documentChecker(() => loadDocument<ApiDocument>());

export interface WorkerClientOptions extends ClientOptions {
  /** Bindings to change for these requests only (limits, a Redis that is down, another secret). */
  env?: Partial<Bindings>;
}

export interface WorkerHarness extends Host {
  env: Bindings;
  stack: TestStack;
  /** Calls the real app inside workerd with this file's own database and Redis prefix. */
  request(path: string, init?: RequestInit, overrides?: Partial<Bindings>): Promise<Response>;
  /** Runs SQL on this file's database through the Neon driver. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** The typed client (`hc<AppType>`) over `request`. */
  client(options?: WorkerClientOptions): Client;
  /** The API as an anonymous caller. */
  api: Client["api"];
  /** The API as `who` (a fixture user or an access token). */
  as(who: string | { token: string }, options?: WorkerClientOptions): Client["api"];
  /** Opens a hub's WebSocket through the app (the Worker authenticates, the hub accepts). */
  connect(path: string, init?: RequestInit, overrides?: Partial<Bindings>): Promise<HubClient<WebSocket>>;
  drop(): Promise<void>;
}

/** Clones the migrated template into a database of this file's own. */
export async function setupWorker(): Promise<WorkerHarness> {
  const stack = inject("stack");
  const { url, drop } = await createTestDatabase(stack);
  const fileEnv = { ...env, ...workerVars(stack, url, `${uniqueName("w")}:`) } as Bindings;
  const request: WorkerHarness["request"] = async (path, init, overrides) => {
    const ctx = createExecutionContext();
    const res = await app.request(path, init, overrides ? { ...fileEnv, ...overrides } : fileEnv, ctx);
    await waitOnExecutionContext(ctx);
    await expectDocumented(init?.method ?? "GET", path, res);
    return res;
  };
  const client = ({ env: overrides, ...options }: WorkerClientOptions = {}) =>
    typedClient((path, init) => request(path, init, overrides), options);
  return {
    env: fileEnv,
    stack,
    tokens: readConfig(fileEnv),
    request,
    async query(text, params) {
      const { pool } = createDb({ DATABASE_URL: url, PG_WS_PROXY: stack.pgProxy, PG_WS_PROXY_KEY: stack.secret });
      try {
        return (await pool.query(text, params)).rows;
      } finally {
        await pool.end();
      }
    },
    client,
    api: client().api,
    as: (who, options) => client({ ...options, as: who }).api,
    async connect(path, init = {}, overrides) {
      const headers = { upgrade: "websocket", ...(init.headers as Record<string, string> | undefined) };
      const res = await request(path, { ...init, headers }, overrides);
      const ws = res.webSocket;
      const socket = hubClient(res, ws, (message, close) => {
        ws?.addEventListener("message", (e) => message(e.data));
        ws?.addEventListener("close", (e) => close(e.code));
      });
      ws?.accept();
      return socket;
    },
    drop,
  };
}

/**
 * The harness of a test file: its database is made before the file's tests (and before the
 * `beforeAll` hooks registered after this call) and dropped after them.
 */
export function useWorker(): WorkerHarness {
  let current: WorkerHarness | undefined;
  beforeAll(async () => {
    current = await setupWorker();
  });
  afterAll(() => current?.drop());
  return new Proxy({} as WorkerHarness, {
    get(_, key) {
      if (!current) throw new Error("useWorker(): the harness is ready once the file's beforeAll hooks run");
      return Reflect.get(current, key);
    },
  });
}
