// Right after a commit the order routes hand the outbox events they just wrote straight to the
// hubs (nothing is read back first) and mark them delivered afterwards. What the sockets get must
// be exactly what the Cron sweep would have sent from the outbox rows.
import { beforeAll, expect, it } from "vitest";
import { at, ID } from "../harness/client";
import { type HubMessage, settle, shop, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
const s = shop(w);
let staff: User;
beforeAll(async () => {
  staff = await s.user(true);
});

const outbox = (orderId: number) =>
  w.query<{ type: string; status: string; at: Date; delivered: boolean }>(
    "select type, status, created_at as at, delivered_at is not null as delivered from order_events where order_id = $1 order by id",
    [orderId],
  );

it("sends a placement and a status change with the outbox rows' own fields, then marks them delivered", async () => {
  const buyer = await s.user();
  const mine = await w.connect(`/ws/orders/notifications/?token=${buyer.token}`);
  const feed = await w.connect(`/ws/admin/orders/?token=${staff.token}`);
  await mine.next();
  await feed.next();

  const order = await s.order(buyer);
  expect(
    (await w.as(staff).orders[ID].update_status.$patch({ ...at(order.id), json: { status: "shipped" } })).status,
  ).toBe(200);
  const owner = [await mine.next(), await mine.next()];
  // The staff hub is shared by every test file of the run: keep only this order's events.
  const staffSaw: HubMessage[] = [];
  while (staffSaw.length < 2) {
    const m = await feed.next();
    if (typeof m === "object" && m.order_id === order.id) staffSaw.push(m);
  }
  await settle();

  const rows = await outbox(order.id);
  expect(rows.map((r) => [r.type, r.status])).toEqual([
    ["order_created", "pending"],
    ["order_update", "shipped"],
  ]);
  expect(owner).toEqual(
    rows.map((r, i) => ({
      type: "order_update",
      order_id: order.id,
      status: r.status,
      message: `Your order #${order.id} is now ${r.status}`,
      seq: i + 1,
      at: r.at.toISOString(),
    })),
  );
  expect(staffSaw.map((m) => [m.type, m.order_id, m.user_id, m.at])).toEqual(
    rows.map((r) => [r.type, order.id, buyer.id, r.at.toISOString()]),
  );
  expect(rows.every((r) => r.delivered)).toBe(true);
  await settle();
  expect(mine.messages).toHaveLength(3);
  mine.ws!.close();
  feed.ws!.close();
});
