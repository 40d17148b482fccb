import { beforeAll, describe, expect, it } from "vitest";
import { ORDER_STATUSES } from "../../src/db/schema";
import { NEXT_STATUSES } from "../../src/routes/orders/status.service";
import { at, ID, read, unchecked } from "../harness/client";
import { shop, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
const s = shop(w);
let staff: User;
beforeAll(async () => {
  staff = await s.user(true);
});

const order = (who: User | null) => (who ? w.as(who) : w.api).orders[ID];
const move = (who: User | null, id: number, status: unknown) =>
  read(order(who).update_status.$patch({ ...at(id), json: { status: unchecked(status) } }));
const cancel = (who: User, id: number) => read(order(who).cancel.$post(at(id)));
const history = (id: number) =>
  w.query("select from_status, to_status, changed_by from order_status_history where order_id = $1 order by id", [id]);
const events = (id: number) =>
  w.query<{ type: string; status: string }>("select type, status from order_events where order_id = $1 order by id", [
    id,
  ]);

/** An order in any status, written directly: the graph test needs every starting point. */
async function orderIn(status: string, owner: User) {
  const [row] = await w.query<{ id: number }>(
    "insert into orders (user_id, status, total_price, shipping_address, phone_number) values ($1, $2, '1.00', '1 Long Street', '1') returning id",
    [owner.id, status],
  );
  return row!.id;
}

describe("update_status", () => {
  it("follows the graph exactly: allowed moves answer 200, every other pair 409 and changes nothing", async () => {
    const owner = await s.user();
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const id = await orderIn(from, owner);
        const r = await move(staff, id, to);
        if (NEXT_STATUSES[from].includes(to)) {
          expect(r.status, `${from} → ${to}`).toBe(200);
          expect(r.body).toMatchObject({
            message: `Order status updated from ${from} to ${to}`,
            order: { id, status: to },
          });
        } else {
          expect(r.status, `${from} → ${to}`).toBe(409);
          expect(r.body).toEqual({ detail: `Cannot change status from ${from} to ${to}` });
          expect(await history(id)).toEqual([]);
        }
      }
    }
    expect(NEXT_STATUSES).toEqual({
      pending: ["processing", "shipped", "cancelled"],
      processing: ["shipped", "cancelled"],
      shipped: ["delivered"],
      delivered: [],
      cancelled: [],
    });
  });

  it("records who changed what and when, with an outbox event per change", async () => {
    const owner = await s.user();
    const o = await s.order(owner);
    for (const to of ["processing", "shipped", "delivered"]) expect((await move(staff, o.id, to)).status).toBe(200);
    expect(await history(o.id)).toEqual([
      { from_status: null, to_status: "pending", changed_by: owner.id },
      { from_status: "pending", to_status: "processing", changed_by: staff.id },
      { from_status: "processing", to_status: "shipped", changed_by: staff.id },
      { from_status: "shipped", to_status: "delivered", changed_by: staff.id },
    ]);
    expect((await events(o.id)).map((e) => `${e.type}:${e.status}`)).toEqual([
      "order_created:pending",
      "order_update:processing",
      "order_update:shipped",
      "order_update:delivered",
    ]);
  });

  it("validates the status and the caller", async () => {
    const owner = await s.user();
    const id = await orderIn("pending", owner);
    expect((await move(staff, id, "lost")).body).toEqual({
      status: ['"lost" is not a valid choice. Valid choices: pending, processing, shipped, delivered, cancelled'],
    });
    expect((await read(order(staff).update_status.$patch({ ...at(id), json: unchecked({}) }))).body).toEqual({
      status: ["This field is required."],
    });
    expect((await move(owner, id, "shipped")).status).toBe(403);
    expect((await move(null, id, "shipped")).status).toBe(401);
    expect((await move(staff, 99999999, "shipped")).status).toBe(404);
    expect(await history(id)).toEqual([]);
  });

  it("lets only one of several concurrent changes from the same status apply", async () => {
    const o = await s.order(await s.user(), "5.00", 2, 10);
    const replies = await Promise.all(Array.from({ length: 6 }, () => move(staff, o.id, "cancelled")));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    // Restocked once, not six times.
    expect(await s.stock(o.productId)).toBe(10);
    expect(await history(o.id)).toHaveLength(2);
  });
});

describe("cancel", () => {
  it("lets the owner cancel a pending order, restocks every line, and the catalog shows it at once", async () => {
    const owner = await s.user();
    const [a, b] = [await s.product("3.00", 6), await s.product("4.00", 6)];
    const detail = (id: number) => read(w.api.products[ID].$get(at(id)));
    await detail(a); // warm the catalog cache
    await s.add(owner, a, 2);
    await s.add(owner, b, 5);
    const placed = await s.place(owner);
    expect((await detail(a)).body.stock).toBe(4);
    const r = await cancel(owner, placed.body.order.id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ message: "Order cancelled", order: { status: "cancelled" } });
    expect([await s.stock(a), await s.stock(b)]).toEqual([6, 6]);
    expect((await detail(a)).body.stock).toBe(6);
    expect((await detail(b)).body.stock).toBe(6);
    expect((await events(placed.body.order.id)).at(-1)).toEqual({ type: "order_update", status: "cancelled" });
  });

  it("refuses the owner once the order moved on, hides it from others, and lets staff cancel processing", async () => {
    const [owner, other] = [await s.user(), await s.user()];
    const o = await s.order(owner);
    expect((await cancel(other, o.id)).status).toBe(404);
    await move(staff, o.id, "processing");
    expect(await cancel(owner, o.id)).toMatchObject({
      status: 409,
      body: { detail: "Only pending orders can be cancelled." },
    });
    expect((await cancel(staff, o.id)).status).toBe(200);
    expect(await s.stock(o.productId)).toBe(10);
    expect(await cancel(staff, o.id)).toMatchObject({
      status: 409,
      body: { detail: "Cannot change status from cancelled to cancelled" },
    });
  });

  it("cancels an order whose product was deleted, restocking what still exists", async () => {
    const owner = await s.user();
    const [gone, kept] = [await s.product("1.00", 5), await s.product("2.00", 5)];
    await s.add(owner, gone);
    await s.add(owner, kept, 2);
    const placed = await s.place(owner);
    await w.query("delete from products where id = $1", [gone]);
    expect((await cancel(owner, placed.body.order.id)).status).toBe(200);
    expect(await s.stock(kept)).toBe(5);
  });
});
