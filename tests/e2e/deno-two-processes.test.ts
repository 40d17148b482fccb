// Two Deno processes on one database and one KV file, as two instances behind a balancer: an
// event reaches a user's sockets whichever process holds them and whichever process wrote it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, ID, read } from "../harness/client";
import { registered, shop } from "../harness/fixtures";
import { startDenoWorker } from "../support/worker";
import { type E2eHarness, harnessFor } from "./support";

const CAP = 3;
let a: E2eHarness;
let b: E2eHarness;

beforeAll(async () => {
  const first = await startDenoWorker({ vars: (v) => ({ ...v, WS_MAX_SOCKETS: String(CAP) }) });
  const second = await startDenoWorker({
    database: { url: first.databaseUrl, drop: async () => {} },
    kvPath: first.kvPath,
    redisPrefix: first.redisPrefix,
    vars: () => first.vars,
  });
  [a, b] = [harnessFor(first), harnessFor(second)];
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

const userPath = (token: string, since?: number) =>
  `/ws/orders/notifications/?token=${token}${since === undefined ? "" : `&since=${since}`}`;

describe("the hub across two Deno processes", () => {
  it("sends a socket on one process the orders placed and moved through the other, numbered once", async () => {
    const [onA, onB] = [shop(a), shop(b)];
    const alice = await onA.user();
    const staff = await onA.user(true);
    const here = await a.connect(userPath(alice.token));
    const there = await b.connect(userPath(alice.token));
    for (const socket of [here, there]) expect((await socket.next()).type).toBe("connection_established");
    const order = await onB.order(alice);
    for (const socket of [here, there]) {
      expect(await socket.next()).toMatchObject({ type: "order_update", order_id: order.id, seq: 1 });
    }
    const moved = await read(
      a.as(staff).orders[ID].update_status.$patch({ ...at(order.id), json: { status: "processing" } }),
    );
    expect(moved.status).toBe(200);
    for (const socket of [here, there]) {
      expect(await socket.next()).toMatchObject({ order_id: order.id, status: "processing", seq: 2 });
    }
    const replay = await b.connect(userPath(alice.token, 0));
    expect((await replay.next()).type).toBe("connection_established");
    expect(await replay.next()).toMatchObject({ seq: 1, status: "pending" });
    expect(await replay.next()).toMatchObject({ seq: 2, status: "processing" });
  });

  it("gives the staff feed on one process an order placed on the other", async () => {
    const staff = await shop(b).user(true);
    const feed = await b.connect(`/ws/admin/orders/?token=${staff.token}`);
    expect((await feed.next()).type).toBe("connection_established");
    const onA = shop(a);
    const dave = await onA.user();
    const order = await onA.order(dave);
    expect(await feed.next()).toMatchObject({ type: "order_created", order_id: order.id, user_id: dave.id });
  });

  it("closes a socket on one process when its session logs out through the other (4403)", async () => {
    const { tokens } = await registered(a);
    const socket = await a.connect(userPath(tokens.access));
    expect((await socket.next()).type).toBe("connection_established");
    const out = await b.as(tokens.access).auth.logout.$post({ json: { refresh: tokens.refresh } });
    expect(out.status).toBe(200);
    expect(await socket.closed).toBe(4403);
  });

  it(`counts a user's sockets on both processes against one cap (${CAP})`, async () => {
    const frank = await shop(a).user();
    for (const host of [a, b, a]) expect((await host.connect(userPath(frank.token))).res.status).toBe(101);
    expect((await b.connect(userPath(frank.token))).res.status).toBe(429);
  });
});
