// GET /api/admin/stats/ on a known data set: buckets in UTC, Europe/Berlin and a half-hour zone,
// money summed exactly, cancelled orders apart, and the 400s for every bad parameter.
import { beforeAll, describe, expect, it } from "vitest";
import { read, unchecked } from "../harness/client";
import { makeCategory, makeProduct, makeUser, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
let staff: User;
let customer: User;
let a: number;
let b: number;

const stats = (query: Record<string, string>, who: User | null = staff) =>
  read((who ? w.as(who) : w.api).admin.stats.$get({ query: unchecked(query) }));

async function order(userId: number, at: string, status: string, lines: [number, number, string][]) {
  const total = lines.reduce((cents, [, qty, price]) => cents + qty * Math.round(Number(price) * 100), 0);
  const [row] = await w.query<{ id: number }>(
    `insert into orders (user_id, status, total_price, shipping_address, phone_number, created_at)
     values ($1, $2, $3, '1 Stats Street, Town', '555', $4) returning id`,
    [userId, status, (total / 100).toFixed(2), at],
  );
  for (const [product, quantity, price] of lines)
    await w.query(
      "insert into order_items (order_id, product_id, product_name, quantity, price) values ($1, $2, 'snapshot', $3, $4)",
      [row!.id, product, quantity, price],
    );
}

beforeAll(async () => {
  staff = await makeUser(w, { staff: true });
  customer = await makeUser(w);
  const other = await makeUser(w);
  await w.query("update users set created_at = '2026-11-11T12:00:00Z' where id = $1", [staff.id]);
  await w.query("update users set created_at = '2026-11-11T00:30:00Z' where id = $1", [customer.id]);
  // 23:45 UTC on the 10th is 00:45 on the 11th in Berlin (UTC+1 in November).
  await w.query("update users set created_at = '2026-11-10T23:45:00Z' where id = $1", [other.id]);
  const category = await makeCategory(w, "Stats");
  a = await makeProduct(w, { name: "Anvil", price: "10.00", stock: 50, category });
  b = await makeProduct(w, { name: "Bolt", price: "0.10", stock: 100, category });
  await makeProduct(w, { name: "Crate", price: "3.00", stock: 0, category });
  await makeProduct(w, { name: "Drill", price: "40.00", stock: 5, category });
  const archived = await makeProduct(w, { name: "Easel", price: "7.00", stock: 3, category, archived: true });
  // 23:30 UTC: the 10th in UTC, the 11th in Berlin. 3 × 0.10 is 0.30 exactly, never 0.30000000000000004.
  await order(customer.id, "2026-11-10T23:30:00Z", "delivered", [[b, 3, "0.10"]]);
  await order(customer.id, "2026-11-11T10:00:00Z", "pending", [[a, 2, "10.00"]]);
  await order(other.id, "2026-11-11T12:00:00Z", "cancelled", [[a, 1, "10.00"]]);
  await order(other.id, "2026-11-12T08:00:00Z", "shipped", [
    [a, 1, "10.00"],
    [b, 1, "0.10"],
  ]);
  await order(other.id, new Date().toISOString(), "pending", [[b, 50, "0.10"]]);
  const cart = async (user: number, lines: [number, number][]) => {
    const [row] = await w.query<{ id: number }>("insert into carts (user_id) values ($1) returning id", [user]);
    for (const [product, quantity] of lines)
      await w.query("insert into cart_items (cart_id, product_id, quantity) values ($1, $2, $3)", [
        row!.id,
        product,
        quantity,
      ]);
  };
  await cart(customer.id, [
    [a, 2],
    [b, 3],
    [archived, 1],
  ]);
  await cart(other.id, [[b, 1]]);
});

const point = (local: string, orders: number, revenue: string, cancelled = 0, new_customers = 0) =>
  expect.objectContaining({ local, orders, revenue, cancelled, new_customers });

describe("GET /api/admin/stats/", () => {
  it("buckets by UTC day: revenue without cancelled orders, cancelled counted apart, exact sums", async () => {
    const r = await stats({ from: "2026-11-10", to: "2026-11-12" });
    expect(r.status).toBe(200);
    expect([r.body.from, r.body.to, r.body.bucket, r.body.tz]).toEqual([
      "2026-11-10T00:00:00.000Z",
      "2026-11-13T00:00:00.000Z",
      "day",
      "UTC",
    ]);
    expect(r.body.series).toEqual([
      point("2026-11-10", 1, "0.30", 0, 1),
      point("2026-11-11", 1, "20.00", 1, 1),
      point("2026-11-12", 1, "10.10"),
    ]);
    expect(r.body.series[0]!.start).toBe("2026-11-10T00:00:00.000Z");
    expect(r.body.totals).toEqual({
      orders: 3,
      revenue: "30.40",
      cancelled: 1,
      average_order_value: "10.13",
      new_customers: 2,
    });
    expect(r.body.top_products.by_units).toEqual([
      { product: b, name: "Bolt", units: 4, revenue: "0.40" },
      { product: a, name: "Anvil", units: 3, revenue: "30.00" },
    ]);
    expect(r.body.top_products.by_revenue.map((p) => p.name)).toEqual(["Anvil", "Bolt"]);
  });

  it("counts an order at 23:30 UTC on the next day in Europe/Berlin, and days start at Berlin's midnight", async () => {
    const r = await stats({ from: "2026-11-10", to: "2026-11-12", tz: "Europe/Berlin" });
    expect(r.status).toBe(200);
    expect([r.body.from, r.body.to, r.body.tz]).toEqual([
      "2026-11-09T23:00:00.000Z",
      "2026-11-12T23:00:00.000Z",
      "Europe/Berlin",
    ]);
    expect(r.body.series).toEqual([
      point("2026-11-10", 0, "0.00"),
      point("2026-11-11", 2, "20.30", 1, 2),
      point("2026-11-12", 1, "10.10"),
    ]);
    expect(r.body.series[1]!.start).toBe("2026-11-10T23:00:00.000Z");
  });

  it("buckets by hour, in local hours of a half-hour zone too", async () => {
    const utc = await stats({ from: "2026-11-10T23:00:00Z", to: "2026-11-11T01:00:00Z", bucket: "hour" });
    expect(utc.body.series).toEqual([
      point("2026-11-10T23:00", 1, "0.30", 0, 1),
      point("2026-11-11T00:00", 0, "0.00", 0, 1),
    ]);
    // 23:30 UTC is 05:00 in Kolkata (UTC+5:30); a local date-time is read in the zone.
    const kolkata = await stats({
      from: "2026-11-11T04:00",
      to: "2026-11-11T06:00",
      bucket: "hour",
      tz: "Asia/Kolkata",
    });
    expect(kolkata.body.series).toEqual([
      point("2026-11-11T04:00", 0, "0.00", 0, 0),
      point("2026-11-11T05:00", 1, "0.30", 0, 1),
    ]);
    expect(kolkata.body.series[1]!.start).toBe("2026-11-10T23:30:00.000Z");
  });

  it("answers the figures that do not depend on the range: statuses now, today, stock, open carts", async () => {
    const r = await stats({});
    expect(r.status).toBe(200);
    expect(r.body.series.length).toBeGreaterThanOrEqual(30);
    expect(Date.now() - Date.parse(r.body.to)).toBeLessThan(60_000);
    expect(r.body.orders_by_status).toEqual({ pending: 2, processing: 0, shipped: 1, delivered: 1, cancelled: 1 });
    expect(r.body.today).toMatchObject({ orders: 1, revenue: "5.00", cancelled: 0 });
    expect(r.body.stock).toEqual({ low: 1, out: 1, low_below: 10 });
    // The archived product's line is not counted: 2 × 10.00 + 3 × 0.10 + 1 × 0.10.
    expect(r.body.open_carts).toEqual({ count: 2, items: 6, value: "20.40" });
  });

  it("refuses bad from, to, bucket and tz with a 400 naming the parameter", async () => {
    const format = expect.stringContaining("Datetime has wrong format");
    for (const [query, field, message] of [
      [{ from: "yesterday" }, "from", format],
      [{ from: "2026-02-30" }, "from", format],
      [{ to: "2026-11-11T25:00" }, "to", format],
      [{ from: "1969-12-31" }, "from", format],
      [{ bucket: "week" }, "bucket", expect.stringContaining("not a valid choice")],
      [{ tz: "Mars/Olympus_Mons" }, "tz", expect.stringContaining("Unknown time zone")],
      [{ tz: "+05:00" }, "tz", expect.stringContaining("Unknown time zone")],
      [{ tz: "Etc/GMT+5" }, "tz", expect.stringContaining("Unknown time zone")],
      [{ tz: "x".repeat(300) }, "tz", expect.stringContaining("Unknown time zone")],
      [{ from: "2026-11-12", to: "2026-11-10" }, "non_field_errors", "`from` must be before `to`."],
      [
        { from: "2020-01-01", to: "2026-01-01", bucket: "hour" },
        "to",
        expect.stringContaining("more than 1000 buckets"),
      ],
    ] as const) {
      const r = await stats(query);
      expect([query, r.status, r.body]).toEqual([query, 400, { [field]: [message] }]);
    }
  });

  it("is for staff only: 401 without a token, 403 for a customer", async () => {
    expect((await stats({}, null)).status).toBe(401);
    const denied = await stats({}, customer);
    expect([denied.status, denied.body]).toEqual([
      403,
      { detail: "You do not have permission to perform this action." },
    ]);
  });
});
