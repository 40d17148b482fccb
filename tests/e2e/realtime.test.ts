// The notification hub's contract over real sockets, from orders placed and changed through the
// API: run against workerd (Durable Objects) and Deno (Deno KV) alike, so both keep it.
import { describe, expect, it } from "vitest";
import type { OrderStatus } from "../../src/db/schema";
import { at, ID, read } from "../harness/client";
import { registered, settle, shop } from "../harness/fixtures";
import { useRunningWorker } from "./support";

/** Low, so the cap is reached with a few sockets. */
const CAP = 3;
const w = useRunningWorker({ vars: (v) => ({ ...v, WS_MAX_SOCKETS: String(CAP) }) });
const s = shop(w);
const userPath = (token: string, since?: number) =>
  `/ws/orders/notifications/?token=${token}${since === undefined ? "" : `&since=${since}`}`;

async function setStatus(staffToken: string, order: number, status: OrderStatus) {
  const res = await read(
    w.as({ token: staffToken }).orders[ID].update_status.$patch({ ...at(order), json: { status } }),
  );
  expect(res.status).toBe(200);
}

describe("notifications on the running server", () => {
  it("refuses a missing token and a plain request before any socket exists", async () => {
    expect((await w.connect("/ws/orders/notifications/")).res.status).toBe(401);
    expect((await w.request("/ws/orders/notifications/")).status).toBe(426);
  });

  it("greets, answers ping, and sends each user only their own orders, numbered", async () => {
    const [alice, bob] = [await s.user(), await s.user()];
    const a = await w.connect(userPath(alice.token));
    const b = await w.connect("/ws/orders/notifications/", ["bearer", bob.token]);
    expect(b.res.headers.get("sec-websocket-protocol")).toBe("bearer");
    expect(await a.next()).toEqual({ type: "connection_established", message: "Connected to order notifications" });
    expect((await b.next()).type).toBe("connection_established");
    a.ws!.send("ping");
    expect(await a.next()).toBe("pong");
    a.ws!.send("hello");
    expect(await a.next()).toMatchObject({ type: "error", received: "hello" });
    const order = await s.order(alice);
    expect(await a.next()).toMatchObject({ type: "order_update", order_id: order.id, status: "pending", seq: 1 });
    const staff = await s.user(true);
    await setStatus(staff.token, order.id, "processing");
    expect(await a.next()).toMatchObject({ order_id: order.id, status: "processing", seq: 2 });
    await settle();
    expect(b.messages).toHaveLength(1);
  });

  it("replays what came after ?since= in order, and says when history is shorter than asked", async () => {
    const carol = await s.user();
    const staff = await s.user(true);
    const order = await s.order(carol);
    for (const status of ["processing", "shipped"] as const) await setStatus(staff.token, order.id, status);
    const again = await w.connect(userPath(carol.token, 1));
    expect((await again.next()).type).toBe("connection_established");
    expect(await again.next()).toMatchObject({ seq: 2, status: "processing" });
    expect(await again.next()).toMatchObject({ seq: 3, status: "shipped" });
    await setStatus(staff.token, order.id, "delivered");
    expect(await again.next()).toMatchObject({ seq: 4, status: "delivered" });
    await settle();
    expect(again.messages).toHaveLength(4);
  });

  it("gives staff every user's events with their user, and refuses customers the staff feed", async () => {
    const staff = await s.user(true);
    const feed = await w.connect(`/ws/admin/orders/?token=${staff.token}`);
    expect((await feed.next()).type).toBe("connection_established");
    const dave = await s.user();
    const order = await s.order(dave);
    expect(await feed.next()).toMatchObject({ type: "order_created", order_id: order.id, user_id: dave.id });
    expect((await w.connect(`/ws/admin/orders/?token=${dave.token}`)).res.status).toBe(403);
  });

  it("closes a socket whose session logged out (4403), and one that sends too much (1009)", async () => {
    const { tokens } = await registered(w);
    const socket = await w.connect(userPath(tokens.access));
    expect((await socket.next()).type).toBe("connection_established");
    const out = await w.as(tokens.access).auth.logout.$post({ json: { refresh: tokens.refresh } });
    expect(out.status).toBe(200);
    expect(await socket.closed).toBe(4403);
    const erin = await s.user();
    const loud = await w.connect(userPath(erin.token));
    loud.ws!.send("x".repeat(2000));
    expect(await loud.closed).toBe(1009);
  });

  it(`holds at most WS_MAX_SOCKETS (${CAP}) sockets per user and refuses the next with 429`, async () => {
    const frank = await s.user();
    const open = await Promise.all(Array.from({ length: CAP }, () => w.connect(userPath(frank.token))));
    for (const socket of open) expect(socket.res.status).toBe(101);
    const refused = await w.connect(userPath(frank.token));
    expect(refused.res.status).toBe(429);
    expect(JSON.parse(refused.res.text)).toEqual({ detail: "Too many connections for this user." });
  });
});
