import { beforeAll, describe, expect, it } from "vitest";
import { at, bearer, type Client, ID, json, read, readAs, unchecked } from "../harness/client";
import { shop, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
const s = shop(w);
let staff: User;
let customer: User;
beforeAll(async () => {
  staff = await s.user(true);
  customer = await s.user();
});

const admin = (who: User) => w.as(who).admin;
const customers = (query: Record<string, string> = {}) =>
  read(admin(staff).customers.$get({ query: unchecked(query) }));
const orders = (query: Record<string, string> = {}) => read(admin(staff).orders.$get({ query: unchecked(query) }));
const order = (id: number) => read(admin(staff).orders[ID].$get(at(id)));
const ship = (id: number, status: "processing" | "shipped") =>
  w.as(staff).orders[ID].update_status.$patch({ ...at(id), json: { status } });

/** A customer with known names, so search results are predictable. */
async function named(username: string, email: string, first = "", last = ""): Promise<User> {
  const user = await s.user();
  await w.query("update users set username = $2, email = $3, first_name = $4, last_name = $5 where id = $1", [
    user.id,
    username,
    email,
    first,
    last,
  ]);
  return user;
}

describe("authorization", () => {
  const routes: [string, (api: Client["api"]) => Promise<{ status: number; headers: Headers }>][] = [
    ["/api/admin/me/", (api) => api.admin.me.$get()],
    ["/api/admin/customers/", (api) => api.admin.customers.$get({ query: {} })],
    ["/api/admin/customers/1/", (api) => api.admin.customers[ID].$get(at(1))],
    ["/api/admin/orders/", (api) => api.admin.orders.$get({ query: {} })],
    ["/api/admin/orders/1/", (api) => api.admin.orders[ID].$get(at(1))],
  ];

  it("answers 401 without a token and 403 for a customer on every route, before reading anything", async () => {
    for (const [path, call] of routes) {
      const anonymous = await read(call(w.api));
      expect([path, anonymous.status, anonymous.body]).toEqual([
        path,
        401,
        { detail: "Authentication credentials were not provided." },
      ]);
      const denied = await read(call(w.as(customer)));
      expect([path, denied.status, denied.body]).toEqual([
        path,
        403,
        { detail: "You do not have permission to perform this action." },
      ]);
    }
  });

  it("refuses a bad token with token_not_valid, and other methods with 405", async () => {
    const bad = await read(w.as("nope").admin.me.$get());
    expect([bad.status, bad.body]).toEqual([
      401,
      { detail: "Given token not valid for any token type", code: "token_not_valid" },
    ]);
    // A method the route does not have.
    const post = await w.request("/api/admin/customers/", json({}, { headers: bearer(staff) }));
    expect([post.status, await post.json()]).toEqual([405, { detail: 'Method "POST" not allowed.' }]);
  });
});

describe("GET /api/admin/me/", () => {
  it("is the staff user's JSON with is_staff", async () => {
    // Without the trailing slash, as the request was first written.
    const r = await w.request("/api/admin/me", { headers: bearer(staff) });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      id: staff.id,
      username: expect.any(String),
      email: expect.any(String),
      first_name: "",
      last_name: "",
      is_staff: true,
    });
  });
});

describe("GET /api/admin/customers/", () => {
  it("lists accounts newest first with their order counts, searchable by names and email", async () => {
    const ada = await named("ada_admin_t", "ada@analytical.test", "Ada", "Lovelace");
    const alan = await named("alan_admin_t", "turing@bletchley.test", "Alan", "Turing");
    await w.query("update users set created_at = now() + interval '1 minute' where id = $1", [alan.id]);
    await s.order(ada, "12.50", 2);

    const all = await customers({ page_size: "2" });
    expect(all.status).toBe(200);
    expect(all.body.results.map((u) => u.id)).toEqual([alan.id, ada.id]);
    expect(all.body.next).toMatch(/page=2/);

    const byEmail = await customers({ search: "BLETCHLEY" });
    expect(byEmail.body).toEqual({
      count: 1,
      next: null,
      previous: null,
      results: [
        {
          id: alan.id,
          username: "alan_admin_t",
          email: "turing@bletchley.test",
          first_name: "Alan",
          last_name: "Turing",
          is_staff: false,
          is_active: true,
          date_joined: expect.any(String),
          orders_count: 0,
        },
      ],
    });
    const byNames = await customers({ search: "ada lovelace" });
    expect(byNames.body.results).toEqual([expect.objectContaining({ id: ada.id, orders_count: 1 })]);
    const none = await customers({ search: "100%" });
    expect([none.status, none.body.count]).toEqual([200, 0]);
  });

  it("answers bad parameters and pages past the end in the contract's shapes", async () => {
    expect((await customers({ page: "0" })).body).toEqual({
      page: ["Ensure this value is greater than or equal to 1."],
    });
    expect((await customers({ page_size: "101" })).status).toBe(400);
    expect((await customers({ search: "x".repeat(201) })).body).toEqual({
      search: ["Ensure this field has no more than 200 characters."],
    });
    const past = await customers({ page: "999" });
    expect([past.status, past.body]).toEqual([404, { detail: "Invalid page." }]);
  });
});

describe("GET /api/admin/customers/{id}/", () => {
  it("is the profile with an order summary that leaves cancelled orders out of the total", async () => {
    const grace = await named("grace_admin_t", "grace@navy.test", "Grace", "Hopper");
    await w.query("update users set city = 'Arlington', phone_number = '+1555' where id = $1", [grace.id]);
    const kept = await s.order(grace, "10.25", 2);
    const cancelled = await s.order(grace, "99.99", 1);
    await w.as(grace).orders[ID].cancel.$post(at(cancelled.id));
    await ship(kept.id, "shipped");

    const r = await read(admin(staff).customers[ID].$get(at(grace.id)));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: grace.id,
      username: "grace_admin_t",
      email: "grace@navy.test",
      first_name: "Grace",
      last_name: "Hopper",
      phone_number: "+1555",
      address: "",
      city: "Arlington",
      postal_code: "",
      country: "",
      is_staff: false,
      is_active: true,
      date_joined: expect.stringMatching(/Z$/),
      order_summary: {
        count: 2,
        total_spent: "20.50",
        last_order_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        by_status: { pending: 0, processing: 0, shipped: 1, delivered: 0, cancelled: 1 },
      },
    });
  });

  it("shows a customer with no orders as zeros, and an unknown id as 404", async () => {
    const fresh = await s.user();
    const r = await read(admin(staff).customers[ID].$get(at(fresh.id)));
    expect(r.body.order_summary).toEqual({
      count: 0,
      total_spent: "0.00",
      last_order_at: null,
      by_status: { pending: 0, processing: 0, shipped: 0, delivered: 0, cancelled: 0 },
    });
    expect((await admin(staff).customers[ID].$get(at(999999))).status).toBe(404);
    expect((await admin(staff).customers[ID].$get(at("99999999999"))).status).toBe(404);
  });
});

describe("GET /api/admin/orders/", () => {
  it("lists every customer's orders newest first with who placed them; filters by status, user and customer search", async () => {
    const linus = await named("linus_admin_t", "linus@kernel.test");
    const margaret = await named("margaret_admin_t", "hamilton@apollo.test");
    const first = await s.order(linus, "5.00", 3);
    const second = await s.order(margaret, "7.00", 1);
    await ship(first.id, "processing");

    const page = await orders({ page_size: "100" });
    expect(page.status).toBe(200);
    const ids = page.body.results.map((o) => o.id);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
    expect(page.body.results.find((o) => o.id === first.id)).toEqual({
      id: first.id,
      status: "processing",
      total_price: "15.00",
      items_count: 1,
      created_at: expect.any(String),
      user: linus.id,
      user_name: "linus_admin_t",
      email: "linus@kernel.test",
    });

    const byEmail = await orders({ search: "apollo" });
    expect(byEmail.body.results.map((o) => o.id)).toEqual([second.id]);
    const byName = await orders({ search: "LINUS_admin" });
    expect(byName.body.results.map((o) => o.id)).toEqual([first.id]);
    const byStatus = await orders({ status: "processing", search: "linus" });
    expect(byStatus.body.count).toBe(1);
    expect((await orders({ status: "pending", search: "linus" })).body.count).toBe(0);
    const byUser = await orders({ user: String(margaret.id), status: "" });
    expect(byUser.body.results.map((o) => o.id)).toEqual([second.id]);
  });

  it("refuses an unknown status or user by name, and a page past the end", async () => {
    const status = await readAs<Record<string, string[]>>(admin(staff).orders.$get({ query: { status: "lost" } }));
    expect([status.status, Object.keys(status.body)]).toEqual([400, ["status"]]);
    expect(status.body.status![0]).toMatch(/^"lost" is not a valid choice\. Valid choices: pending/);
    const user = await orders({ user: "999999" });
    expect([user.status, user.body]).toEqual([
      400,
      { user: ["Select a valid choice. That choice is not one of the available choices."] },
    ]);
    expect((await orders({ user: "abc" })).body).toEqual({ user: ["A valid integer is required."] });
    expect((await orders({ page: "500" })).body).toEqual({ detail: "Invalid page." });
  });
});

describe("GET /api/admin/orders/{id}/", () => {
  it("is the order detail with email, the allowed next statuses and the status history with who made each change", async () => {
    const buyer = await named("barbara_admin_t", "liskov@mit.test");
    const bought = await s.order(buyer, "3.30", 3);
    const placed = await order(bought.id);
    expect(placed.body).toMatchObject({
      id: bought.id,
      status: "pending",
      email: "liskov@mit.test",
      next_statuses: ["processing", "shipped", "cancelled"],
    });
    expect(placed.body.history).toEqual([
      {
        from_status: null,
        to_status: "pending",
        changed_by: buyer.id,
        changed_by_name: "barbara_admin_t",
        changed_at: expect.any(String),
      },
    ]);

    await ship(bought.id, "shipped");
    const shipped = await order(bought.id);
    const detail = await read(w.as(staff).orders[ID].$get(at(bought.id)));
    const { email, next_statuses, history, ...rest } = shipped.body;
    expect(rest).toEqual(detail.body);
    expect(rest).toMatchObject({ total_price: "9.90", items: [{ quantity: 3, price: "3.30", subtotal: "9.90" }] });
    expect(next_statuses).toEqual(["delivered"]);
    expect(history.map((h) => [h.from_status, h.to_status, h.changed_by])).toEqual([
      [null, "pending", buyer.id],
      ["pending", "shipped", staff.id],
    ]);
    expect((await order(987654)).body).toEqual({ detail: "Not found." });
  });
});
