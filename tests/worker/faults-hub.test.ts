// A user's Durable Object that fails to accept events: its SQLite storage refuses the write (a
// trigger that raises, as a full or failing disk would), so the hub's `deliver` throws for real.
// The order change must still commit and answer; the event must arrive later, once, when the Cron
// sweep (`scheduled` in src/index.ts) runs after the hub recovers.
import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { userHubName } from "../../src/realtime/events";
import type { UserHub } from "../../src/realtime/user-hub";
import { at, ID } from "../harness/client";
import { type Frame, type HubMessage, settle, shop, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
const s = shop(w);
let staff: User;
beforeAll(async () => {
  staff = await s.user(true);
});

const hubOf = (user: User) =>
  w.env.USER_HUB.get(w.env.USER_HUB.idFromName(userHubName(user.hubKey))) as DurableObjectStub<UserHub>;

/**
 * Makes the hub's storage refuse new rows (after accepting `acceptFirst` more) until `repair`:
 * a trigger on each of its tables, whatever the hub names them.
 */
const breakHub = async (user: User, acceptFirst = 0) =>
  runInDurableObject(hubOf(user), (_hub, state) => {
    const sql = state.storage.sql;
    const tables = sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
      )
      .toArray();
    expect(tables.length).toBeGreaterThan(0);
    for (const { name } of tables) {
      const rows = sql.exec<{ n: number }>(`SELECT count(*) AS n FROM "${name}"`).one().n;
      sql.exec(`CREATE TRIGGER "hub_down_${name}" BEFORE INSERT ON "${name}" WHEN (SELECT count(*) FROM "${name}") >= ${rows + acceptFirst}
        BEGIN SELECT RAISE(ABORT, 'hub storage unavailable'); END`);
    }
  });
const repair = async (user: User) =>
  runInDurableObject(hubOf(user), (_hub, state) => {
    const triggers = state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'hub_down_%'")
      .toArray();
    for (const { name } of triggers) state.storage.sql.exec(`DROP TRIGGER "${name}"`);
  });

/** The Cron Trigger's handler, exactly as the runtime calls it. */
async function cronSweep() {
  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }), w.env, ctx);
  await waitOnExecutionContext(ctx);
}

const outbox = (orderId: number) =>
  w.query<{ status: string; delivered: boolean; attempts: number }>(
    "select status, delivered_at is not null as delivered, attempts from order_events where order_id = $1 order by id",
    [orderId],
  );
const updates = (messages: Frame[]) =>
  messages.filter((m): m is HubMessage => m.type === "order_update" || m.type === "order_created");

describe("a hub that fails to accept events", () => {
  it("lets the order and its status change commit, then delivers each event once after the sweep", async () => {
    const buyer = await s.user();
    const mine = await w.connect(`/ws/orders/notifications/?token=${buyer.token}`);
    const feed = await w.connect(`/ws/admin/orders/?token=${staff.token}`);
    await mine.next();
    await feed.next();
    await breakHub(buyer);

    const product = await s.product("4.00", 5);
    await s.add(buyer, product, 2);
    const placed = await s.place(buyer);
    expect(placed.status).toBe(201);
    const id = placed.body.order.id;
    expect(
      (await w.as(staff).orders[ID].update_status.$patch({ ...at(id), json: { status: "processing" } })).status,
    ).toBe(200);
    expect(await s.stock(product)).toBe(3);
    expect(await outbox(id)).toEqual([
      { status: "pending", delivered: false, attempts: 1 },
      { status: "processing", delivered: false, attempts: 1 },
    ]);
    await settle();
    expect(updates(mine.messages)).toEqual([]);
    // The staff hub was fine and already has both.
    expect(updates(feed.messages).map((m) => m.status)).toEqual(["pending", "processing"]);

    // Still broken: the sweep tries again, delivers nothing, loses nothing.
    await cronSweep();
    expect((await outbox(id)).map((e) => [e.delivered, e.attempts])).toEqual([
      [false, 2],
      [false, 2],
    ]);

    await repair(buyer);
    await cronSweep();
    await settle();
    expect(updates(mine.messages).map((m) => [m.order_id, m.status, m.seq])).toEqual([
      [id, "pending", 1],
      [id, "processing", 2],
    ]);
    expect((await outbox(id)).map((e) => e.delivered)).toEqual([true, true]);
    // Once per hub: the staff hub ignored the events it already held.
    expect(updates(feed.messages).filter((m) => m.order_id === id)).toHaveLength(2);

    await cronSweep();
    await settle();
    expect(updates(mine.messages)).toHaveLength(2);
    const replay = await w.connect(`/ws/orders/notifications/?token=${buyer.token}&since=0`);
    await replay.next();
    await settle();
    expect(updates(replay.messages).map((m) => m.seq)).toEqual([1, 2]);
    for (const c of [mine, feed, replay]) c.ws!.close();
  });

  it("never repeats an event the hub took when a later one in the same batch failed", async () => {
    const buyer = await s.user();
    const mine = await w.connect(`/ws/orders/notifications/?token=${buyer.token}`);
    await mine.next();
    const product = await s.product("1.00", 10);
    await s.add(buyer, product, 1);
    const id = (await s.place(buyer)).body.order.id;
    await settle();
    expect(updates(mine.messages)).toHaveLength(1);
    // Two changes whose events reach the hub in one sweep batch; the hub refuses only the second.
    await w.query(
      `insert into order_events (user_id, order_id, type, status)
       values ($1, $2, 'order_update', 'processing'), ($1, $2, 'order_update', 'shipped')`,
      [buyer.id, id],
    );
    await breakHub(buyer, 1);
    await cronSweep();
    await settle();
    expect(updates(mine.messages).map((m) => m.status)).toEqual(["pending", "processing"]);
    await repair(buyer);
    await cronSweep();
    await settle();
    expect(updates(mine.messages).map((m) => [m.status, m.seq])).toEqual([
      ["pending", 1],
      ["processing", 2],
      ["shipped", 3],
    ]);
    mine.ws!.close();
  });
});
