// Outgoing webhooks end to end: the real Worker under wrangler's dev server with its real local
// queue, Postgres and the DNS stand-in, delivering to a receiver on loopback that verifies every
// request with the `standardwebhooks` package (README "Webhooks").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDnsHttp } from "../../scripts/local/dns-http.ts";
import { makeUser, shop, type User } from "../harness/fixtures";
import { eventually } from "../support/faults.ts";
import { type Receiver, startReceiver } from "../support/receiver.ts";
import { type E2eHarness, startHarness } from "./support";
import { makeStaff } from "./tour";

/** Short for the tests: retries a second apart, a receiver given 1.5 s. */
const VARS = { WEBHOOK_ALLOW_LOOPBACK: "true", WEBHOOK_RETRY_SECONDS: "1,1,1", WEBHOOK_TIMEOUT_MS: "1500" };
const ORDER_EVENTS = ["order.created", "order.status_changed", "order.cancelled"];

let h: E2eHarness;
let dns: Awaited<ReturnType<typeof startDnsHttp>>;
let receiver: Receiver;
let staff: string;
let buyer: User;

type Endpoint = { id: number; url: string; secret: string; is_active: boolean; disabled_reason: string | null };
type Delivery = {
  id: number;
  event_id: string;
  status: string;
  attempts: number;
  log: { attempt: number; status_code: number | null; error: string | null }[];
};

const asStaff = (path: string, method = "GET", body?: unknown) =>
  h.request(path, {
    method,
    headers: { authorization: `Bearer ${staff}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function create(path: string, events: string[], extra: Record<string, unknown> = {}): Promise<Endpoint> {
  const res = await asStaff("/api/admin/webhooks/", "POST", { url: `${receiver.url}${path}`, events, ...extra });
  expect(res.status, await res.clone().text()).toBe(201);
  const endpoint = (await res.json()) as Endpoint;
  receiver.secrets(path, [endpoint.secret]);
  return endpoint;
}

const deliveries = async (endpoint: number): Promise<Delivery[]> =>
  (
    (await (await asStaff(`/api/admin/webhooks/${endpoint}/deliveries/?page_size=100`)).json()) as {
      results: Delivery[];
    }
  ).results;

/** Waits until every delivery of the endpoint is settled, and answers them. */
async function settled(endpoint: number, count: number, ms = 15_000): Promise<Delivery[]> {
  let last: Delivery[] = [];
  await eventually(
    async () => {
      last = await deliveries(endpoint);
      return last.length >= count && last.every((d) => d.status !== "pending");
    },
    ms,
    `${count} settled deliveries of endpoint ${endpoint}`,
  );
  return last;
}

beforeAll(async () => {
  const secret = crypto.randomUUID();
  dns = await startDnsHttp({
    secret,
    names: {
      "private.shop.test": ["10.0.0.5"],
      "metadata.shop.test": ["169.254.169.254"],
      "mixed.shop.test": ["93.184.216.34", "fd00::1"],
      "public.shop.test": ["93.184.216.34"],
    },
  });
  receiver = await startReceiver();
  h = await startHarness({ vars: (v) => ({ ...v, ...VARS, WEBHOOK_DNS_URL: dns.url, WEBHOOK_DNS_KEY: secret }) });
  staff = await makeStaff(h, `hooks_${Date.now().toString(36)}`);
  buyer = await makeUser(h);
}, 90_000);

afterAll(async () => {
  await h?.stop();
  await receiver?.close();
  await dns?.close();
});

describe("order events", () => {
  it("arrive once per endpoint, signed, for a placed, shipped and cancelled order", { timeout: 40_000 }, async () => {
    const a = await create("/orders-a", ORDER_EVENTS);
    const b = await create("/orders-b", [...ORDER_EVENTS, "product.stock_low", "product.out_of_stock"]);
    const s = shop(h);
    const started = Date.now();
    const shipped = await s.order(buyer, "19.99", 2, 11);
    expect((await asStaff(`/api/orders/${shipped.id}/update_status/`, "PATCH", { status: "shipped" })).status).toBe(
      200,
    );
    const cancelled = await s.order(buyer, "5.00", 1, 1);
    const cancel = await h.request(`/api/orders/${cancelled.id}/cancel/`, {
      method: "POST",
      headers: { authorization: `Bearer ${buyer.token}` },
    });
    expect(cancel.status).toBe(200);

    // b also hears the stock: 11 → 9 is low, 1 → 0 is out, and the cancellation's restock is neither.
    await eventually(async () => receiver.at("/orders-a").length >= 4 && receiver.at("/orders-b").length >= 6, 15_000);
    const seconds = (Date.now() - started) / 1000;
    for (const path of ["/orders-a", "/orders-b"]) {
      const got = receiver.at(path);
      expect(got.every((r) => r.verifiedBy.length === 1)).toBe(true);
      expect(new Set(got.map((r) => r.id)).size).toBe(got.length);
      expect(got.every((r) => r.id === r.payload.id)).toBe(true);
    }
    const kinds = (path: string) =>
      receiver
        .at(path)
        .map(
          (r) =>
            `${r.payload.type}:${(r.payload.data.order as { id: number })?.id ?? (r.payload.data.product as { id: number }).id}`,
        );
    expect(kinds("/orders-a").sort()).toEqual(
      [
        `order.created:${shipped.id}`,
        `order.status_changed:${shipped.id}`,
        `order.created:${cancelled.id}`,
        `order.cancelled:${cancelled.id}`,
      ].sort(),
    );
    expect(kinds("/orders-b").sort()).toEqual(
      [
        ...kinds("/orders-a"),
        `product.stock_low:${shipped.productId}`,
        `product.out_of_stock:${cancelled.productId}`,
      ].sort(),
    );
    // The snapshot is the API's own order detail at the time, and says where a change came from.
    const created = receiver
      .at("/orders-a")
      .find((r) => r.payload.type === "order.created" && (r.payload.data.order as { id: number }).id === shipped.id)!;
    const { productId: _, ...placedOrder } = shipped;
    expect(created.payload.data.order).toEqual(placedOrder);
    const moved = receiver.at("/orders-a").find((r) => r.payload.type === "order.status_changed")!;
    expect(moved.payload.data).toMatchObject({
      previous_status: "pending",
      order: { id: shipped.id, status: "shipped" },
    });
    for (const [endpoint, count] of [
      [a.id, 4],
      [b.id, 6],
    ] as const) {
      expect((await settled(endpoint, count)).every((d) => d.status === "delivered" && d.attempts === 1)).toBe(true);
    }
    expect(seconds).toBeLessThan(15);
    console.log(`webhooks: 4 order events at 2 endpoints in ${seconds.toFixed(1)} s`);
  });

  it("come from a staff stock edit that crosses a line, and not from one that crosses none", {
    timeout: 30_000,
  }, async () => {
    const endpoint = await create("/stock", ["product.stock_low", "product.out_of_stock"]);
    const product = await shop(h).product("3.00", 20);
    const edit = (stock: number) => asStaff(`/api/products/${product}/`, "PATCH", { stock });
    expect((await edit(15)).status).toBe(200);
    expect((await edit(0)).status).toBe(200);
    await eventually(async () => receiver.at("/stock").length === 1);
    expect(receiver.at("/stock")[0]!.payload).toMatchObject({
      type: "product.out_of_stock",
      data: { product: { id: product, stock: 0, previous_stock: 15, price: "3.00", low_stock_below: 10 } },
    });
    expect((await settled(endpoint.id, 1))[0]!.status).toBe("delivered");
  });

  it("are not sent to a disabled endpoint", { timeout: 30_000 }, async () => {
    const off = await create("/off", ["order.created"], { is_active: false });
    const on = await create("/on", ["order.created"]);
    const order = await shop(h).order(buyer);
    await eventually(async () =>
      receiver.at("/on").some((r) => (r.payload.data.order as { id: number }).id === order.id),
    );
    expect(receiver.at("/off")).toEqual([]);
    expect(await deliveries(off.id)).toEqual([]);
    expect((await settled(on.id, 1))[0]!.status).toBe("delivered");
  });
});

describe("retries", () => {
  it("deliver on retry, with the same id, after a 500", { timeout: 30_000 }, async () => {
    receiver.on("/flaky", { kind: "flaky" });
    const endpoint = await create("/flaky", ["order.created"]);
    expect((await asStaff(`/api/admin/webhooks/${endpoint.id}/test/`, "POST")).status).toBe(202);
    const [d] = await settled(endpoint.id, 1);
    expect(d).toMatchObject({ status: "delivered", attempts: 2 });
    expect(d!.log.map((a) => a.status_code)).toEqual([500, 200]);
    const got = receiver.at("/flaky");
    expect(got.map((r) => r.id)).toEqual([d!.event_id, d!.event_id]);
    expect(got[0]!.body).toBe(got[1]!.body);
  });

  it("time out a receiver that hangs, then retry it, while orders are answered as fast as ever", {
    timeout: 30_000,
  }, async () => {
    receiver.on("/hang", { kind: "hang" });
    const endpoint = await create("/hang", ["order.created"]);
    const first = await shop(h).order(buyer);
    // While the receiver holds that delivery, another order is placed (product, cart line, order).
    await eventually(async () => receiver.at("/hang").length === 1);
    await shop(h).order(buyer);
    // Answered while the receiver still holds the first delivery: no attempt of it is recorded yet.
    const held = (await deliveries(endpoint.id)).find((x) => x.event_id === receiver.at("/hang")[0]!.id);
    expect(held).toMatchObject({ status: "pending", attempts: 0 });
    const [, d] = await settled(endpoint.id, 2);
    expect(d).toMatchObject({ status: "delivered", attempts: 2 });
    expect(d!.log[0]).toMatchObject({ status_code: null, error: "No answer within 1500 ms" });
    expect(receiver.at("/hang").filter((r) => r.id === d!.event_id)).toHaveLength(2);
    expect((receiver.at("/hang")[0]!.payload.data.order as { id: number }).id).toBe(first.id);
  });

  it("give up after the schedule, and a redeliver sends it again", { timeout: 30_000 }, async () => {
    receiver.on("/down", { kind: "fail" });
    const endpoint = await create("/down", ["order.created"]);
    await asStaff(`/api/admin/webhooks/${endpoint.id}/test/`, "POST");
    const [d] = await settled(endpoint.id, 1);
    // The first try and the schedule's three retries.
    expect(d).toMatchObject({ status: "failed", attempts: 4 });
    receiver.on("/down", { kind: "ok" });
    const again = await asStaff(`/api/admin/webhooks/${endpoint.id}/deliveries/${d!.id}/redeliver/`, "POST");
    expect(again.status).toBe(202);
    await eventually(async () => (await deliveries(endpoint.id))[0]!.status === "delivered");
    const read = (await (await asStaff(`/api/admin/webhooks/${endpoint.id}/`)).json()) as {
      health: unknown;
      failing_since: unknown;
    };
    expect(read).toMatchObject({ failing_since: null, health: { delivered: 1, failed: 0, last_status_code: 200 } });
  });

  it("disable an endpoint failing for a day, and the staff feed says so", { timeout: 30_000 }, async () => {
    receiver.on("/dead", { kind: "fail" });
    const endpoint = await create("/dead", ["order.created"]);
    await h.query("update webhook_endpoints set failing_since = now() - interval '25 hours' where id = $1", [
      endpoint.id,
    ]);
    const feed = await h.connect(`/ws/admin/orders/?token=${staff}`);
    expect(await feed.next()).toMatchObject({ type: "connection_established" });
    await asStaff(`/api/admin/webhooks/${endpoint.id}/test/`, "POST");
    const notice = await feed.next();
    expect(notice).toMatchObject({ type: "webhook_disabled", endpoint_id: endpoint.id, url: endpoint.url });
    // Kept with the feed's events: a socket resuming from before it gets it once, and nothing after.
    const seq = Number((notice as { seq?: unknown }).seq);
    const resumed = await h.connect(`/ws/admin/orders/?token=${staff}&since=${seq - 1}`);
    expect(await resumed.next()).toMatchObject({ type: "connection_established" });
    expect(await resumed.next()).toEqual(notice);
    const later = await h.connect(`/ws/admin/orders/?token=${staff}&since=${seq}`);
    expect(await later.next()).toMatchObject({ type: "connection_established" });
    await new Promise((r) => setTimeout(r, 300));
    expect(later.messages).toHaveLength(1);
    const read = (await (await asStaff(`/api/admin/webhooks/${endpoint.id}/`)).json()) as Endpoint;
    expect(read.is_active).toBe(false);
    expect(read.disabled_reason).toMatch(/^Disabled: every delivery failed since /);
    // Turned back on, it starts afresh.
    const on = await asStaff(`/api/admin/webhooks/${endpoint.id}/`, "PATCH", { is_active: true });
    expect(await on.json()).toMatchObject({ is_active: true, disabled_reason: null, failing_since: null });
  });
});

describe("secrets", () => {
  it("keep the old and the new secret valid through a rotation's grace period, then only the new", {
    timeout: 30_000,
  }, async () => {
    const endpoint = await create("/rotated", ["order.created"]);
    const rotated = await asStaff(`/api/admin/webhooks/${endpoint.id}/rotate-secret/`, "POST", { grace_seconds: 3600 });
    const { secret } = (await rotated.json()) as { secret: string };
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(endpoint.secret);
    receiver.secrets("/rotated", [endpoint.secret, secret]);
    await asStaff(`/api/admin/webhooks/${endpoint.id}/test/`, "POST");
    await eventually(async () => receiver.at("/rotated").length === 1);
    expect(receiver.at("/rotated")[0]!.verifiedBy).toEqual([0, 1]);

    await asStaff(`/api/admin/webhooks/${endpoint.id}/rotate-secret/`, "POST", { grace_seconds: 0 }).then(async (r) =>
      receiver.secrets("/rotated", [secret, ((await r.json()) as { secret: string }).secret]),
    );
    await asStaff(`/api/admin/webhooks/${endpoint.id}/test/`, "POST");
    await eventually(async () => receiver.at("/rotated").length === 2);
    expect(receiver.at("/rotated")[1]!.verifiedBy).toEqual([1]);
    // The secret is never shown again.
    expect(JSON.stringify(await (await asStaff(`/api/admin/webhooks/${endpoint.id}/`)).json())).not.toContain("whsec_");
  });
});

describe("addresses", () => {
  it.each([
    ["https://10.0.0.1/hook"],
    ["http://169.254.169.254/latest/meta-data/"],
    ["https://[::ffff:169.254.169.254]/"],
    ["https://[fd00:ec2::254]/"],
    ["https://private.shop.test/hook"],
    ["https://metadata.shop.test/hook"],
    ["https://mixed.shop.test/hook"],
    ["https://nowhere.shop.test/hook"],
    ["ftp://public.shop.test/hook"],
    ["https://user:pass@public.shop.test/hook"],
    ["http://public.shop.test/hook"],
  ])("refuse %s", async (url) => {
    const res = await asStaff("/api/admin/webhooks/", "POST", { url, events: ["order.created"] });
    expect(res.status).toBe(400);
    expect(Object.keys((await res.json()) as object)).toEqual(["url"]);
  });

  it("accept an https name that resolves to public addresses", async () => {
    const res = await asStaff("/api/admin/webhooks/", "POST", {
      url: "https://public.shop.test/hook",
      events: ["order.created"],
      is_active: false,
    });
    expect(res.status).toBe(201);
  });

  it("refuse a redirect to the metadata address, and follow none unless asked", { timeout: 30_000 }, async () => {
    receiver.on("/to-metadata", { kind: "redirect", location: "http://169.254.169.254/latest/meta-data/" });
    receiver.on("/to-ok", { kind: "redirect", location: `${receiver.url}/ok-target` });
    const following = await create("/to-metadata", ["order.created"], { follow_redirects: true });
    const plain = await create("/to-ok", ["order.created"]);
    await asStaff(`/api/admin/webhooks/${following.id}/test/`, "POST");
    await asStaff(`/api/admin/webhooks/${plain.id}/test/`, "POST");
    const [refused] = await settled(following.id, 1);
    expect(refused!.log[0]!.error).toMatch(/^Refused http:\/\/169\.254\.169\.254\/latest\/meta-data\/: /);
    const [unfollowed] = await settled(plain.id, 1);
    expect(unfollowed!.log[0]).toMatchObject({
      status_code: 302,
      error: `Redirect to ${receiver.url}/ok-target not followed`,
    });
    expect(receiver.at("/ok-target")).toEqual([]);
  });
});
