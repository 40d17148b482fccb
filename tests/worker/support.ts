import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { types } from "@neondatabase/serverless";
import { afterAll, beforeAll, inject } from "vitest";
import app from "../../src/app";
import { type Bindings, readConfig } from "../../src/config";
import { connect } from "../../src/db/client";
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
  /**
   * `request`, with this file's database under a tag of its own, answering the round trips to
   * Postgres it made as the local Neon endpoint counted them at the wire (scripts/local/neon-http.ts):
   * `answered` before the answer, `after` the background work that follows it in `waitUntil`
   * (marking outbox events delivered, replacing an imported password hash), told apart by their statements; and `redis`, the requests
   * the local Upstash endpoint had under the request's Redis prefix (`redisPrefix`, a fresh one by
   * default: pass the same one twice to count a cached read).
   */
  trips(
    path: string,
    init?: RequestInit,
    redisPrefix?: string,
  ): Promise<{ res: Response; answered: number; after: number; redis: number }>;
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

/**
 * Timestamps as Dates, as node-postgres gives them: drizzle's neon-http sets the driver's global
 * parsers to leave them as Postgres's text, and tests read rows with `query()`.
 */
const pgTimestamp = (text: string) => new Date(text.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00"));
const dates = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 1184 || oid === 1114 ? pgTimestamp : types.getTypeParser(oid, format as never),
};

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
  const { sql } = connect({
    DATABASE_URL: url,
    NEON_SQL_ENDPOINT: stack.sqlEndpoint,
    NEON_SQL_KEY: stack.secret,
    DB_CONNECT_TIMEOUT_MS: 30_000,
  });
  const harness: WorkerHarness = {
    env: fileEnv,
    stack,
    tokens: readConfig(fileEnv),
    request,
    async query<R>(text: string, params?: unknown[]) {
      return (await sql.query(text, params ?? [], { types: dates })) as R[];
    },
    async trips(path, init, redisPrefix = `rt-${crypto.randomUUID()}`) {
      const tag = `trips-${crypto.randomUUID()}`;
      const tagged = new URL(url);
      tagged.searchParams.set("application_name", tag);
      const auth = { headers: { authorization: `Bearer ${stack.secret}` } };
      const redisTrips = async () => {
        if (!stack.redis) return 0;
        const counted = new URL("/__trips", stack.redis.restUrl);
        counted.searchParams.set("prefix", redisPrefix);
        const res = await fetch(counted, { headers: { authorization: `Bearer ${stack.redis.token}` } });
        return ((await res.json()) as { trips: number }).trips;
      };
      const redisBefore = await redisTrips();
      const res = await request(path, init, { DATABASE_URL: tagged.toString(), REDIS_PREFIX: `${redisPrefix}:` });
      const counted = new URL("/__trips", stack.sqlEndpoint);
      counted.searchParams.set("tag", tag);
      const { heads } = (await (await fetch(counted, auth)).json()) as { heads: string[] };
      const after = heads.filter((h) => /^update "order_events"|^update users set password_hash/i.test(h)).length;
      return { res, answered: heads.length - after, after, redis: (await redisTrips()) - redisBefore };
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
  return harness;
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
