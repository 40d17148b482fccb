// The API on Deno (README "Running on Deno"): the same app as src/index.ts, with what Workers
// give it made here. Configuration comes from the environment; background work (`waitUntil`) is
// awaited before the process ends; the client's address is the connection's; the hubs live in
// Deno KV (runtime/deno/hub.ts), the webhook queue in KV's queue; the minute sweep is Deno.cron.
import { AsyncLocalStorage } from "node:async_hooks";
import app from "./app";
import { consumeQueue, sweep } from "./background";
import { type Bindings, variables } from "./config";
import { assetsFetcher } from "./runtime/deno/assets";
import { KvHubs } from "./runtime/deno/hub";
import { kvQueue, listen } from "./runtime/deno/queue";
import front from "./runtime/front.js";
import { WORKER_FIRST } from "./runtime/worker-first";

const vars = Object.fromEntries(
  Object.keys(variables.shape).flatMap((name) => {
    const value = Deno.env.get(name);
    return value === undefined ? [] : [[name, value]];
  }),
);
const kvPath = Deno.env.get("DENO_KV_PATH");
const kv = await Deno.openKv(kvPath || undefined);
const original = new AsyncLocalStorage<Request>();
const hubs = new KvHubs(kv, () => original.getStore());
const env = { ...vars, USER_HUB: hubs, WEBHOOKS: kvQueue(kv, "edge-shop-webhooks") } as unknown as Bindings;

/** Work after the response (a notification, a cache write): awaited on shutdown, never dropped. */
const pending = new Set<Promise<unknown>>();
const ctx = {
  waitUntil(work: Promise<unknown>) {
    const tracked = work.catch(() => {}).finally(() => pending.delete(tracked));
    pending.add(tracked);
  },
  passThroughOnException() {},
  props: {},
} as unknown as ExecutionContext;

const appFetcher = { fetch: (request: Request) => app.fetch(request, env, ctx) } as unknown as Fetcher;
const frontEnv = {
  APP: appFetcher,
  ASSETS: assetsFetcher(Deno.env.get("ASSETS_DIR") ?? "public"),
  WORKER_FIRST: JSON.stringify(WORKER_FIRST),
};

const drainQueue = listen(kv, (batch) => consumeQueue(batch, env));

// The Cron Trigger's sweep; every process runs it, the hubs ignore repeats.
Deno.cron("sweep", "* * * * *", async () => {
  await Promise.allSettled(sweep(env));
});

const server = Deno.serve(
  {
    port: Number(Deno.env.get("PORT") ?? 8000),
    hostname: Deno.env.get("HOST") ?? "127.0.0.1",
    onListen: ({ hostname, port }) => console.log(`Deno serving the API at http://${hostname}:${port}/api/`),
  },
  (request, info) => {
    // The address is the connection's: a client's own CF-Connecting-IP never gets through.
    const headers = new Headers(request.headers);
    headers.set("cf-connecting-ip", info.remoteAddr.hostname);
    const copy = new Request(request, { headers });
    return original.run(request, () => front.fetch(copy, frontEnv));
  },
);

async function shutdown(): Promise<void> {
  await server.shutdown();
  while (pending.size > 0) await Promise.all(pending);
  await drainQueue();
  await hubs.close();
  kv.close();
  Deno.exit(0);
}
Deno.addSignalListener("SIGINT", () => void shutdown());
Deno.addSignalListener("SIGTERM", () => void shutdown());
