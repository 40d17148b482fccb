// The e2e harness: the real Worker (wrangler's unstable_startWorker, tests/support/worker.ts) over
// real HTTP and WebSockets, with the same typed client and fixtures as the worker tests, and every
// answer checked against the running Worker's own /api/schema/.
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import WebSocket from "ws";
import { type Bindings, readConfig } from "../../src/config";
import { type Client, type ClientOptions, typedClient } from "../harness/client";
import { type ApiDocument, documentChecker } from "../harness/documented";
import { type Host, type HubClient, hubClient } from "../harness/fixtures";
import { type RunningWorker, startTestWorker, type WorkerOptions } from "../support/worker";

/** What a WebSocket client sees of the upgrade: 101, or the refusal and its body. */
export interface Upgrade {
  status: number;
  headers: Headers;
  text: string;
}

export interface E2eHarness extends Host, Omit<RunningWorker, "stop"> {
  /** A request to the Worker over HTTP (`path` with its query), its answer checked against /api/schema/. */
  request(path: string, init?: RequestInit): Promise<Response>;
  client(options?: ClientOptions): Client;
  /** The API as an anonymous caller. */
  api: Client["api"];
  /** The API as `who` (a fixture user or an access token). */
  as(who: string | { token: string }, options?: ClientOptions): Client["api"];
  /** Opens a WebSocket (`ws`) at `path`; `protocols` as a browser would send them. */
  connect(path: string, protocols?: string[]): Promise<HubClient<WebSocket, Upgrade>>;
  stop(): Promise<void>;
}

export async function startHarness(options: WorkerOptions = {}): Promise<E2eHarness> {
  return harnessFor(await startTestWorker(options));
}

/** The harness over a Worker already serving at `worker.url` (`npm start`'s, say); `stop()` calls `worker.stop`. */
export function harnessFor(worker: RunningWorker): E2eHarness {
  const expectDocumented = documentChecker(async () => {
    const res = await fetch(`${worker.url}/api/schema/`);
    if (res.status !== 200) throw new Error(`/api/schema/ answered ${res.status}`);
    return (await res.json()) as ApiDocument;
  });
  const request: E2eHarness["request"] = async (path, init = {}) => {
    const res = await fetch(`${worker.url}${path}`, init);
    await expectDocumented(init.method ?? "GET", path, res);
    return res;
  };
  const client = (options?: ClientOptions) => typedClient(request, options);
  let pool: pg.Pool | undefined;
  const sockets = new Set<WebSocket>();
  return {
    ...worker,
    tokens: readConfig(worker.vars as unknown as Bindings),
    request,
    async query(text, params) {
      pool ??= new pg.Pool({ connectionString: worker.databaseUrl, max: 2 });
      return (await pool.query(text, params)).rows;
    },
    client,
    api: client().api,
    as: (who, options) => client({ ...options, as: who }).api,
    connect(path, protocols) {
      const ws = new WebSocket(`${worker.url.replace(/^http/, "ws")}${path}`, protocols);
      sockets.add(ws);
      ws.on("error", () => {});
      return new Promise((resolve, reject) => {
        // The client listens from the upgrade on: the hub greets as soon as the socket opens.
        const opened = (upgrade: Upgrade, socket: WebSocket | null) => {
          const client = hubClient(upgrade, socket, (message, close) => {
            socket?.on("message", (data, binary) => message(binary ? data : String(data)));
            socket?.on("close", (code) => close(code));
          });
          const answer = { ...upgrade, clone: () => ({ text: async () => upgrade.text }) };
          expectDocumented("GET", path, answer).then(() => resolve(client), reject);
        };
        const headersOf = (raw: Record<string, string | string[] | undefined>) =>
          new Headers(Object.entries(raw).map(([k, v]) => [k, String(v)]));
        ws.once("upgrade", (res) => opened({ status: 101, headers: headersOf(res.headers), text: "" }, ws));
        ws.once("unexpected-response", (_req, res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk));
          res.on("end", () => opened({ status: res.statusCode ?? 0, headers: headersOf(res.headers), text }, null));
        });
      });
    },
    async stop() {
      for (const ws of sockets) ws.terminate();
      const open = pool;
      pool = undefined;
      await open?.end();
      await worker.stop();
    },
  };
}

/**
 * `fetch` over the harness's `request`, for @edge-shop/client: a storefront's calls made with it
 * are checked against /api/schema/ like every other answer of the e2e tests.
 */
export const harnessFetch =
  (h: Pick<E2eHarness, "request">): typeof fetch =>
  async (input, init) => {
    const sent = new Request(input, init);
    const url = new URL(sent.url);
    const body = sent.body ? await sent.text() : undefined;
    return h.request(`${url.pathname}${url.search}`, { method: sent.method, headers: sent.headers, body });
  };

/**
 * The harness of an e2e file: the Worker starts before the file's tests (and before the
 * `beforeAll` hooks registered after this call) and stops after them.
 */
export function useRunningWorker(options: WorkerOptions = {}): E2eHarness {
  let current: E2eHarness | undefined;
  beforeAll(async () => {
    current = await startHarness(options);
  });
  afterAll(() => current?.stop());
  return new Proxy({} as E2eHarness, {
    get(_, key) {
      if (!current) throw new Error("useRunningWorker(): the harness is ready once the file's beforeAll hooks run");
      return Reflect.get(current, key);
    },
  });
}
