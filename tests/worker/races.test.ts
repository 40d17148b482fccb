// Races on the paths that must stay exact under concurrency: the last items of a product, one
// order moved and cancelled by several callers at once, one refresh token presented many times.
// (orders.test.ts has the 20-buyer case; this goes to 50 buyers, random quantities and repeats.)
// `npm run test:stress` repeats each race more times.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ORDER_STATUSES, type OrderStatus } from "../../src/db/schema";
import { NEXT_STATUSES } from "../../src/routes/orders/status.service";
import { at, ID, read } from "../harness/client";
import { registered, shop, signUp, type User } from "../harness/fixtures";
import { scaled } from "../support/stack";
import { useWorker } from "./support";

const stress = inject("stress");
const ROUNDS = { buyers: scaled(stress, 1, 10), status: scaled(stress, 4, 40), refresh: scaled(stress, 3, 30) };
const races = { run: 0 };
/** Per-test time: the stress rounds run many times longer than the quick ones. */
const TIMEOUT = scaled(stress, 30_000, 240_000);

const w = useWorker();
const s = shop(w);
let staff: User;
beforeAll(async () => {
  staff = await s.user(true);
});
afterAll(() => {
  console.log(`races: ${races.run} concurrent races run`);
});

const random = (n: number) => Math.floor(Math.random() * n);
const sumOrdered = async (product: number) =>
  Number(
    (
      await w.query<{ n: string }>("select coalesce(sum(quantity), 0) as n from order_items where product_id = $1", [
        product,
      ])
    )[0]!.n,
  );

describe("buyers racing for the last items", () => {
  it("50 concurrent buyers of a product with stock 5: exactly 5 orders, stock 0, quantities sum to the stock", async () => {
    const p = await s.product("9.99", 5, "Last five");
    const buyers = await Promise.all(Array.from({ length: 50 }, () => s.user()));
    await Promise.all(buyers.map((b) => s.add(b, p, 1)));
    const replies = await Promise.all(buyers.map((b) => s.place(b)));
    races.run++;
    const won = replies.filter((r) => r.status === 201);
    expect(won).toHaveLength(5);
    expect(replies.filter((r) => r.status === 400).map((r) => r.body)).toEqual(
      Array.from({ length: 45 }, () => ({ detail: "Last five is out of stock", product_id: p })),
    );
    expect(await s.stock(p)).toBe(0);
    expect(await sumOrdered(p)).toBe(5);
    expect(new Set(won.map((r) => r.body.order.id)).size).toBe(5);
    expect(won.map((r) => r.body.order.total_price)).toEqual(Array(5).fill("9.99"));
    // The refused kept their carts; the winners' are empty.
    const lines = await w.query<{ n: string }>(
      "select count(*) as n from cart_items ci join carts c on c.id = ci.cart_id where ci.product_id = $1",
      [p],
    );
    expect(Number(lines[0]!.n)).toBe(45);
  });

  it(
    "random quantities: ordered + left = initial stock, and every refused buyer wanted more than is left",
    async () => {
      for (let round = 0; round < ROUNDS.buyers; round++) {
        const initial = 5 + random(25);
        const p = await s.product("1.25", initial);
        const buyers = await Promise.all(Array.from({ length: 30 }, () => s.user()));
        const wants = buyers.map(() => 1 + random(Math.min(4, initial)));
        await Promise.all(buyers.map((b, i) => s.add(b, p, wants[i])));
        const replies = await Promise.all(buyers.map((b) => s.place(b)));
        races.run++;
        const left = await s.stock(p);
        const ordered = replies.reduce((n, r, i) => n + (r.status === 201 ? wants[i]! : 0), 0);
        expect(ordered + left).toBe(initial);
        expect(await sumOrdered(p)).toBe(ordered);
        replies.forEach((r, i) => {
          expect([201, 400]).toContain(r.status);
          if (r.status === 400) expect(wants[i]!).toBeGreaterThan(left);
          else expect(r.body.order.total_price).toBe((1.25 * wants[i]!).toFixed(2));
        });
      }
    },
    TIMEOUT,
  );
});

describe("one order changed by several callers at once", () => {
  it(
    "ends in a valid status whose history replays to it, with one event per change and stock restored once",
    async () => {
      for (let round = 0; round < ROUNDS.status; round++) {
        const owner = await s.user();
        const o = await s.order(owner, "5.00", 2, 10);
        const calls = Array.from({ length: 12 }, (_, i) => {
          if (i % 4 === 0) return read(w.as(owner).orders[ID].cancel.$post(at(o.id)));
          if (i % 4 === 1) return read(w.as(staff).orders[ID].cancel.$post(at(o.id)));
          const to = ORDER_STATUSES[random(ORDER_STATUSES.length)]!;
          return read(w.as(staff).orders[ID].update_status.$patch({ ...at(o.id), json: { status: to } }));
        });
        const replies = await Promise.all(calls);
        races.run++;
        expect(replies.filter((r) => r.status !== 200 && r.status !== 409).map((r) => `${r.status} ${r.text}`)).toEqual(
          [],
        );

        const [{ status: final } = { status: "" }] = await w.query<{ status: OrderStatus }>(
          "select status from orders where id = $1",
          [o.id],
        );
        const history = await w.query<{ from_status: OrderStatus | null; to_status: OrderStatus; changed_by: number }>(
          "select from_status, to_status, changed_by from order_status_history where order_id = $1 order by id",
          [o.id],
        );
        let state: OrderStatus | null = null;
        for (const row of history) {
          expect(row.from_status).toBe(state);
          if (state) expect(NEXT_STATUSES[state]).toContain(row.to_status);
          // The buyer placed it and may cancel it while pending; every other change is staff's.
          const actors =
            state === null
              ? [owner.id]
              : state === "pending" && row.to_status === "cancelled"
                ? [owner.id, staff.id]
                : [staff.id];
          expect(actors).toContain(row.changed_by);
          state = row.to_status;
        }
        expect(state).toBe(final);
        // Each 200 is one history row after the first, in the same words.
        const applied = replies.filter((r) => r.status === 200);
        expect(applied).toHaveLength(history.length - 1);
        const events = await w.query<{ status: string }>(
          "select status from order_events where order_id = $1 order by id",
          [o.id],
        );
        expect(events.map((e) => e.status)).toEqual(history.map((h) => h.to_status));
        expect(await s.stock(o.productId)).toBe(final === "cancelled" ? 10 : 8);
      }
    },
    TIMEOUT,
  );
});

describe("one refresh token presented many times at once", () => {
  const refresh = (token: string) => read(w.api.auth.token.refresh.$post({ json: { refresh: token } }));
  async function login() {
    const name = `racer_${crypto.randomUUID().slice(0, 8)}`;
    return (await registered(w, signUp(name, "race-pass-1", "x.io"))).tokens;
  }

  it(
    "lets at most one of 10 win, and the retired token's reuse revokes the whole family",
    async () => {
      for (let round = 0; round < ROUNDS.refresh; round++) {
        const tokens = await login();
        const replies = await Promise.all(Array.from({ length: 10 }, () => refresh(tokens.refresh)));
        races.run++;
        const won = replies.filter((r) => r.status === 200);
        expect(won.length).toBeLessThanOrEqual(1);
        for (const r of replies.filter((x) => x.status !== 200)) {
          expect(r.status).toBe(401);
          expect(r.body).toEqual({
            detail: "Given token not valid for any token type",
            code: "token_not_valid",
          });
        }
        // The losers presented a retired token: theft signal, so the winner's new token is dead too.
        const next = won[0] ? won[0].body.refresh : tokens.refresh;
        expect((await refresh(next)).status).toBe(401);
        expect((await refresh(tokens.refresh)).status).toBe(401);
      }
    },
    TIMEOUT,
  );

  it("after logout answers, no token of the family ever refreshes, whatever raced it", async () => {
    const tokens = await login();
    const logout = read(w.as(tokens.access).auth.logout.$post({ json: { refresh: tokens.refresh } }));
    // All four in flight at once: the logout and three refreshes of its family.
    const [out, refreshed] = await Promise.all([
      logout,
      Promise.all(Array.from({ length: 3 }, () => refresh(tokens.refresh))),
    ]);
    races.run++;
    // Two of the refreshes reuse a retired token, which revokes the family; when that lands first,
    // the logout's access token (of that family) is already refused: the session ended either way.
    expect([200, 401]).toContain(out.status);
    const issued = refreshed.filter((r) => r.status === 200).map((r) => r.body.refresh);
    for (const token of [tokens.refresh, ...issued]) expect((await refresh(token)).status).toBe(401);
  });
});
