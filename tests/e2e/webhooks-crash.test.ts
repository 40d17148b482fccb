// The queue consumer crashing mid-batch loses nothing: Postgres is cut while a batch of
// deliveries is in flight, so recording their attempts fails and the consumer throws; Queues
// hands the whole batch back, and once Postgres is back every event arrives (again, with the
// same webhook-id, where the first copy was sent but not recorded).
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { type NeonHttp, startNeonHttp } from "../../scripts/local/neon-http.ts";
import { makeUser, shop } from "../harness/fixtures";
import { behindForwarder, eventually, type Forwarder } from "../support/faults.ts";
import { type Receiver, startReceiver } from "../support/receiver.ts";
import { type E2eHarness, startHarness } from "./support";
import { makeStaff } from "./tour";

/** As many as the consumer sends to one endpoint at once: the batch's requests all go out together. */
const ORDERS = 4;
/** Long enough that the cut lands while the batch's requests are out. */
const RECEIVER_MS = 1500;

let forwarder: Forwarder;
let proxy: NeonHttp;
let receiver: Receiver;
let h: E2eHarness;

beforeAll(async () => {
  proxy = await startNeonHttp({ secret: inject("stack").secret, port: await freePort() });
  receiver = await startReceiver();
  h = await startHarness({
    vars: async (v) => {
      const cut = await behindForwarder(v, proxy.url);
      forwarder = cut.forwarder;
      return {
        ...cut.vars,
        DB_CONNECT_TIMEOUT_MS: "1500",
        WEBHOOK_ALLOW_LOOPBACK: "true",
        WEBHOOK_RETRY_SECONDS: "1,1,1",
      };
    },
    // The consumer's failed batch logs its error: expected here.
    logLevel: "none",
  });
}, 90_000);

afterAll(async () => {
  await h?.stop();
  await forwarder?.close();
  await proxy?.close();
  await receiver?.close();
});

it("redelivers a batch whose consumer crashed once Postgres is back", { timeout: 60_000 }, async () => {
  const staff = await makeStaff(h, `crash_${Date.now().toString(36)}`);
  receiver.on("/slow", { kind: "slow", ms: RECEIVER_MS });
  const made = await h.request("/api/admin/webhooks/", {
    method: "POST",
    headers: { authorization: `Bearer ${staff}`, "content-type": "application/json" },
    body: JSON.stringify({ url: `${receiver.url}/slow`, events: ["order.created"] }),
  });
  expect(made.status).toBe(201);
  const buyer = await makeUser(h);
  const s = shop(h);
  const orders = [];
  for (let i = 0; i < ORDERS; i++) orders.push((await s.order(buyer)).id);

  // The batch is out at the receiver: cut Postgres before its attempts are recorded.
  await eventually(async () => receiver.at("/slow").length > 0, 10_000, "the first delivery");
  await forwarder.set("down");
  // Longer than the batch can take to come back from the receiver, so its recording is refused.
  await new Promise((r) => setTimeout(r, RECEIVER_MS * 3));
  const beforeRestore = receiver.at("/slow").length;
  await forwarder.set("up");

  const delivered = async () =>
    h.query<{ n: number }>("select count(*)::int as n from webhook_deliveries where status = 'delivered'");
  await eventually(async () => (await delivered())[0]!.n === ORDERS, 40_000, "every delivery recorded");
  const got = receiver.at("/slow");
  const ids = new Set(got.map((r) => r.id));
  // Every order's event arrived; copies sent before the crash came again with the same id.
  expect(ids.size).toBe(ORDERS);
  expect(got.map((r) => (r.payload.data.order as { id: number }).id).sort()).toEqual(
    expect.arrayContaining([...orders].sort()),
  );
  expect(got.length).toBeGreaterThan(ORDERS);
  expect(beforeRestore).toBeGreaterThan(0);
  // Each delivery's log holds only the attempts that were recorded: the crashed batch's left none.
  const logged = await h.query<{ attempts: number }>("select attempts from webhook_deliveries");
  expect(logged.every((d) => d.attempts === 1)).toBe(true);
});
