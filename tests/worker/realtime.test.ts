import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import { deliverEvents } from "../../src/realtime/deliver";
import { userHubName } from "../../src/realtime/events";
import { makeUser } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();

const user = (staff = false) => makeUser(w, { staff });

async function orderEvent(userId: number, status = "pending", type = "order_created") {
  const [order] = await w.query<{ id: number }>(
    "insert into orders (user_id, total_price, shipping_address, phone_number, status) values ($1, '10.00', '1 Long Street, Town', '555', $2) returning id",
    [userId, status],
  );
  const [event] = await w.query<{ id: number }>(
    "insert into order_events (user_id, order_id, type, status) values ($1, $2, $3, $4) returning id",
    [userId, order!.id, type, status],
  );
  return { orderId: order!.id, eventId: Number(event!.id) };
}

const connect = (path: string, init?: RequestInit) => w.connect(path, init);

describe("WebSocket notifications", () => {
  it("refuses a missing or bad token before upgrading", async () => {
    const none = await connect("/ws/orders/notifications/");
    expect(none.res.status).toBe(401);
    expect(await none.res.json()).toEqual({ detail: "Authentication credentials were not provided." });
    const bad = await connect("/ws/orders/notifications/?token=nope");
    expect(bad.res.status).toBe(401);
    // No upgrade header: the raw request is the point.
    const plain = await w.request("/ws/orders/notifications/");
    expect(plain.status).toBe(426);
  });

  it("greets, answers ping with pong, and delivers the user's own events only", async () => {
    const alice = await user();
    const bob = await user();
    const a = await connect(`/ws/orders/notifications/?token=${alice.token}`);
    const b = await connect("/ws/orders/notifications/", {
      headers: { "sec-websocket-protocol": `bearer, ${bob.token}` },
    });
    expect(b.res.headers.get("sec-websocket-protocol")).toBe("bearer");
    expect(await a.next()).toEqual({ type: "connection_established", message: "Connected to order notifications" });
    expect((await b.next()).type).toBe("connection_established");
    a.ws!.send("ping");
    expect(await a.next()).toBe("pong");
    const { orderId, eventId } = await orderEvent(alice.id);
    expect(await deliverEvents(w.env, readConfig(w.env), [eventId])).toBe(1);
    const msg = await a.next();
    expect(msg).toEqual({
      type: "order_update",
      order_id: orderId,
      status: "pending",
      message: `Your order #${orderId} is now pending`,
      seq: expect.any(Number),
      at: expect.any(String),
    });
    a.ws!.send("hello?");
    expect((await a.next()).type).toBe("error");
    await new Promise((r) => setTimeout(r, 200));
    expect(b.messages).toHaveLength(1);
    const [row] = await w.query<{ delivered_at: Date | null }>("select delivered_at from order_events where id = $1", [
      eventId,
    ]);
    expect(row!.delivered_at).not.toBeNull();
    a.ws!.close();
    b.ws!.close();
  });

  it("numbers events per user, ignores redelivery, and replays after ?since= without duplicates", async () => {
    const carol = await user();
    const ids: number[] = [];
    for (const status of ["pending", "processing", "shipped"])
      ids.push((await orderEvent(carol.id, status, "order_update")).eventId);
    await deliverEvents(w.env, readConfig(w.env), ids.slice(0, 2));
    await w.query("update order_events set delivered_at = null where id = any($1::bigint[])", [ids.slice(0, 2)]);
    // The sweep sees all three undelivered; the hub holds two already and accepts only the third once.
    await deliverEvents(w.env, readConfig(w.env));
    const c = await connect(`/ws/orders/notifications/?token=${carol.token}&since=0`);
    await c.next();
    const replayed = [await c.next(), await c.next(), await c.next()];
    expect(replayed.map((m) => m.status)).toEqual(["pending", "processing", "shipped"]);
    expect(replayed.map((m) => m.seq)).toEqual([1, 2, 3]);
    const later = await connect(`/ws/orders/notifications/?token=${carol.token}&since=2`);
    await later.next();
    expect((await later.next()).seq).toBe(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(later.messages).toHaveLength(2);
    c.ws!.close();
    later.ws!.close();
  });

  it("gives staff a feed of every user's events and refuses customers", async () => {
    const staff = await user(true);
    const customer = await user();
    const refused = await connect(`/ws/admin/orders/?token=${customer.token}`);
    expect(refused.res.status).toBe(403);
    const feed = await connect(`/ws/admin/orders/?token=${staff.token}`);
    await feed.next();
    const { orderId, eventId } = await orderEvent(customer.id);
    await deliverEvents(w.env, readConfig(w.env), [eventId]);
    expect(await feed.next()).toMatchObject({ type: "order_created", order_id: orderId, user_id: customer.id });
    feed.ws!.close();
  });

  it("keeps delivering to sockets after the object is evicted (hibernation)", async () => {
    const dave = await user();
    const d = await connect(`/ws/orders/notifications/?token=${dave.token}`);
    await d.next();
    await evictDurableObject(w.env.USER_HUB.get(w.env.USER_HUB.idFromName(userHubName(dave.hubKey))));
    const { orderId, eventId } = await orderEvent(dave.id);
    await deliverEvents(w.env, readConfig(w.env), [eventId]);
    expect(await d.next()).toMatchObject({ order_id: orderId, seq: 1 });
    d.ws!.close();
  });

  it("accepts a reused outbox id from a reset database (same id, another time) but not a true retry", async () => {
    const hub = w.env.USER_HUB.get(w.env.USER_HUB.idFromName(`user:reset-check-${crypto.randomUUID()}`));
    const event = {
      eventId: 1,
      type: "order_created" as const,
      orderId: 1,
      userId: 1,
      status: "pending" as const,
      at: "2026-01-01T00:00:00.000Z",
    };
    const listeners = { users: [1], sessions: [] };
    await hub.deliver("user", [event], listeners);
    await hub.deliver("user", [event], listeners);
    await hub.deliver("user", [{ ...event, at: "2026-02-01T00:00:00.000Z" }], listeners);
    const stored = await runInDurableObject(
      hub,
      (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM hub_events").one().n,
    );
    expect(stored).toBe(2);
  });

  it("rejects a malformed since", async () => {
    const u = await user();
    const res = await connect(`/ws/orders/notifications/?token=${u.token}&since=-1`);
    expect(res.res.status).toBe(400);
  });
});
