// #22: the published client (@edge-shop/client, its built dist/) as a storefront uses it, against
// the real Worker over HTTP (every answer checked against /api/schema/) and WebSockets: sign up and in, browse, cart, order; an expired
// access token refreshed once for many parallel requests (a second rotation would be taken as
// theft and end the session); the customer's socket sees staff move the order, and a new
// socket resumes after the last seq seen, getting only what it missed.
import { createShopClient, type OrderEvent, type ShopClient } from "@edge-shop/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppType } from "../../src/app";
import { at, ID } from "../harness/client";
import { ADDRESS, makeCategory, makeProduct, makeUser, type Placed, signUp } from "../harness/fixtures";
import { type E2eHarness, harnessFetch, startHarness } from "./support";

/** Seconds an access token lives here, so a test can outlast one. */
const TTL = 2;

let worker: E2eHarness;
let shop: ShopClient<AppType>;
const calls: string[] = [];
let productId: number;

beforeAll(async () => {
  worker = await startHarness({ vars: (vars) => ({ ...vars, ACCESS_TOKEN_TTL: String(TTL) }) });
  const category = await makeCategory(worker);
  productId = await makeProduct(worker, { name: "Client Lamp", price: "19.99", stock: 50, category });
  shop = createShopClient<AppType>({
    baseUrl: worker.url,
    // Refresh only when the API says the token expired, so the 401 path is what runs.
    refreshBefore: 0,
    // Through the harness, so each answer is also checked against /api/schema/.
    fetch: (input, init) => {
      calls.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
      return harnessFetch(worker)(input, init);
    },
  });
}, 60_000);
afterAll(() => worker?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("@edge-shop/client against the Worker", () => {
  it("registers, signs in, browses, fills the cart and orders", async () => {
    const body = signUp();
    expect((await shop.api.api.auth.register.$post({ json: body })).status).toBe(201);
    const { user } = await shop.session.login(body.username, body.password);
    expect(user.username).toBe(body.username);

    const page = await shop.api.api.products.$get({ query: { search: "client lamp" } });
    const found = (await page.json()) as { results: { id: number; price: string }[] };
    expect(found.results.map((p) => [p.id, p.price])).toEqual([[productId, "19.99"]]);

    const added = await shop.api.api.orders.cart.add_item.$post({
      json: { product_id: String(productId), quantity: "2" },
    });
    expect(added.status).toBe(200);
    const placed = await shop.api.api.orders.$post({ json: ADDRESS });
    expect(placed.status).toBe(201);
    expect(((await placed.json()) as Placed).order.total_price).toBe("39.98");
  });

  it("refreshes an expired access token once for many requests at a time, and the session lives on", async () => {
    await sleep((TTL + 1) * 1000);
    calls.length = 0;
    const answers = await Promise.all(Array.from({ length: 5 }, () => shop.api.api.auth.profile.$get()));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(calls.filter((path) => path === "/api/auth/token/refresh/")).toHaveLength(1);
    expect((await shop.api.api.orders.cart.$get()).status).toBe(200);
  });

  it("hears staff move the order, and a later socket resumes after the last seq it saw", async () => {
    const staff = await makeUser(worker, { staff: true });
    const orders = (await (await shop.api.api.orders.$get({ query: {} })).json()) as unknown as {
      results: { id: number }[];
    };
    const orderId = orders.results[0]!.id;
    const move = (status: "processing" | "shipped") =>
      worker.as(staff).orders[ID].update_status.$patch({ ...at(orderId), json: { status } });

    const heard: OrderEvent[] = [];
    let live!: () => void;
    const isLive = new Promise<void>((resolve) => (live = resolve));
    const sub = shop.notifications({
      onEvent: (event) => heard.push(event),
      onState: (state) => state === "live" && live(),
    });
    await isLive;
    expect((await move("processing")).status).toBe(200);
    await expect.poll(() => heard.map((e) => e.status), { timeout: 5000 }).toContain("processing");
    const seen = sub.lastSeq!;
    expect(seen).toBe(Math.max(...heard.map((e) => e.seq)));
    sub.stop();

    // With no socket open, the order ships; the next socket starts after `seen` and gets just that.
    expect((await move("shipped")).status).toBe(200);
    const missed: OrderEvent[] = [];
    const resumed = shop.notifications({ since: seen, onEvent: (event) => missed.push(event) });
    await expect.poll(() => missed.map((e) => e.status), { timeout: 5000 }).toEqual(["shipped"]);
    expect(missed[0]!.seq).toBeGreaterThan(seen);
    resumed.stop();
  });
});
