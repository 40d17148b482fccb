// Postgres made unreachable for real, three ways, then brought back:
//  - refused: a TCP forwarder of this file's own, between its own stand-in for Neon's HTTP endpoint
//    and Postgres, stops listening and cuts its connections (the server is gone);
//  - hung: the forwarder accepts connections and never answers (a stalled server, a black-holed route);
//  - endpoint down: this file's own stand-in for Neon's endpoint is closed, then restarted on the
//    same port.
// The machine's PostgreSQL on 5432 keeps serving every other test file: only this Worker's route
// to it is cut. Every answer must be the contract's 503 JSON, in bounded time, and everything must
// work again afterwards.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { type NeonHttp, startNeonHttp } from "../../scripts/local/neon-http.ts";
import { at, ID, read } from "../harness/client";
import { registered } from "../harness/fixtures";
import { behindForwarder, eventually, type Forwarder } from "../support/faults.ts";
import { type E2eHarness, startHarness } from "./support";
import { documentedOps, expectedStatus, makeStaff, type Step, type Walk, walk } from "./tour";

const UNAVAILABLE = { detail: "Service temporarily unavailable, try again later." };
/** Operations that answer without Postgres: the root, the docs and the contract's 405s. */
const NO_DB = /^(GET \/api\/(schema\/|docs\/)?|(PUT|PATCH|DELETE) \/api\/orders\/\{id\}\/)$/;
/** How long a round trip to Postgres may take, shortened for this Worker (DB_CONNECT_TIMEOUT_MS, default 5 s). */
const CONNECT_TIMEOUT_MS = 1500;
/** That timeout plus room for a loaded machine. */
const HUNG_BOUND_MS = CONNECT_TIMEOUT_MS + 3000;

let forwarder: Forwarder;
let proxyPort: number;
let proxy: NeonHttp;
let worker: E2eHarness;
let staff: string;
/** Outages injected (route refused, hung, proxy closed), printed at the end. */
let faults = 0;
/** A customer's valid access token, for the walks while registering and logging in cannot work. */
let customer: { id: number; customer: string; refresh: string };

beforeAll(async () => {
  proxyPort = await freePort();
  proxy = await startNeonHttp({ secret: inject("stack").secret, port: proxyPort });
  // The Worker's own harness, started and stopped here: the proxy and forwarder go down after it.
  worker = await startHarness({
    vars: async (v) => {
      const cut = await behindForwarder(v, proxy.url);
      forwarder = cut.forwarder;
      return { ...cut.vars, DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) };
    },
    // Every request while Postgres is away logs an error: expected here.
    logLevel: "none",
  });
  staff = await makeStaff(worker, `staff_${Date.now().toString(36)}`);
  const { tokens } = await registered(worker, {
    username: "pg_fault_buyer",
    email: "buyer@example.com",
    password: "buyer-pass-1",
    password2: "buyer-pass-1",
  });
  customer = { id: 1, customer: tokens.access, refresh: tokens.refresh };
});
afterAll(async () => {
  console.log(`faults-postgres: ${faults} outages injected (refused, hung, proxy closed), each followed by recovery`);
  await worker?.stop();
  await forwarder?.close();
  await proxy?.close();
});

/** One answer and how long it took. */
const timed = async <T>(send: () => Promise<{ status: number; headers: Headers; json(): Promise<T> }>) => {
  const started = performance.now();
  const res = await read(send());
  return { status: res.status, body: res.body, ms: performance.now() - started };
};
const health = () => timed(() => worker.api.health.$get());

/** With Postgres away: the contract's 503 JSON from every operation that needs it, the usual answer from the rest. */
function expectUnavailable(steps: Step[], boundMs: number) {
  const wrong = steps
    .filter((s) => {
      if (NO_DB.test(s.op)) return s.status !== expectedStatus(s.op);
      if (s.op === "GET /api/health/") {
        const body = s.body as { db?: string; status?: string } | null;
        return s.status !== 503 || body?.db !== "down" || body?.status !== "degraded";
      }
      return s.status !== 503 || JSON.stringify(s.body) !== JSON.stringify(UNAVAILABLE);
    })
    .map((s) => `${s.op} → ${s.status} ${JSON.stringify(s.body)}`);
  expect(wrong).toEqual([]);
  const slow = steps.filter((s) => s.ms > boundMs).map((s) => `${s.op} ${Math.round(s.ms)} ms`);
  expect(slow).toEqual([]);
}

const expectAllAnswered = (steps: Step[]) =>
  expect(
    steps
      .filter((s) => s.status !== expectedStatus(s.op))
      .map((s) => `${s.op} → ${s.status} ${JSON.stringify(s.body)}`),
  ).toEqual([]);

describe("Postgres unreachable, then back", () => {
  let before: Walk;

  it("with the route up: every documented operation answers", async () => {
    before = await walk(worker, staff, "up");
    expectAllAnswered(before.steps);
    expect(before.stock).toEqual([9, 7, 9]);
    const walked = new Set(before.steps.map((s) => s.op));
    expect((await documentedOps(worker)).filter((op) => !walked.has(op))).toEqual([]);
  });

  it("refused: every operation that needs Postgres answers 503 JSON at once", async () => {
    await forwarder.set("down");
    faults++;
    const run = await walk(worker, staff, "refused", customer);
    expectUnavailable(run.steps, 2000);
  });

  it("hung: answers 503 once the connection timeout passes, never later", async () => {
    await forwarder.set("blackhole");
    faults++;
    const api = worker.as(staff);
    const calls: [string, () => ReturnType<typeof timed>][] = [
      ["/api/health/", () => timed(() => api.health.$get())],
      ["/api/products/", () => timed(() => api.products.$get({ query: {} }))],
      ["/api/products/categories/", () => timed(() => api.products.categories.$get())],
      ["/api/orders/", () => timed(() => api.orders.$get({ query: {} }))],
      ["/api/auth/profile/", () => timed(() => api.auth.profile.$get())],
    ];
    const paths = calls.map(([path]) => path);
    const replies = await Promise.all(calls.map(([, call]) => call()));
    const wrong = replies
      .filter((r) => r.status !== 503 || r.ms < CONNECT_TIMEOUT_MS - 200 || r.ms > HUNG_BOUND_MS)
      .map((r, i) => `${paths[i]} → ${r.status} in ${Math.round(r.ms)} ms`);
    expect(wrong).toEqual([]);
    expect(replies.slice(1).map((r) => r.body)).toEqual(paths.slice(1).map(() => UNAVAILABLE));
  }, 30_000);

  it("proxy down (Neon's endpoint unreachable): 503 JSON too, then it comes back on the same port", async () => {
    await forwarder.set("up");
    await proxy.close();
    faults++;
    try {
      const run = await walk(worker, staff, "proxy", customer);
      expectUnavailable(run.steps, 2000);
    } finally {
      proxy = await startNeonHttp({ secret: inject("stack").secret, port: proxyPort });
    }
  });

  it("recovers fully: every operation answers again and nothing from before was lost", async () => {
    await eventually(async () => (await health()).status === 200, 10_000, "health 200");
    const after = await walk(worker, staff, "back");
    expectAllAnswered(after.steps);
    expect(after.stock).toEqual([9, 7, 9]);
    const order = before.order!;
    const seen = await timed(() => worker.as(staff).orders[ID].$get(at(order.id)));
    expect(seen).toMatchObject({
      status: 200,
      body: { id: order.id, status: "cancelled", total_price: order.total_price },
    });
  });

  it.runIf(inject("stress"))(
    "recovers from five more outages of each kind (stress)",
    async () => {
      for (let cycle = 0; cycle < 5; cycle++) {
        for (const mode of ["down", "blackhole"] as const) {
          await forwarder.set(mode);
          faults++;
          const r = await timed(() => worker.api.products.$get({ query: {} }));
          expect([r.status, r.body]).toEqual([503, UNAVAILABLE]);
          await forwarder.set("up");
          expectAllAnswered((await walk(worker, staff, `${mode}${cycle}`)).steps);
        }
        await proxy.close();
        faults++;
        expect((await timed(() => worker.as(staff).orders.$get({ query: {} }))).status).toBe(503);
        proxy = await startNeonHttp({ secret: inject("stack").secret, port: proxyPort });
        expectAllAnswered((await walk(worker, staff, `proxy${cycle}`)).steps);
      }
    },
    300_000,
  );
});
