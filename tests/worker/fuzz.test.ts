// Property-based fuzzing of every route (from `app.routes`) inside workerd, with a real mix of
// customer, staff and broken tokens: random methods, paths, ids, query strings, headers and JSON
// bodies of wrong types and sizes. Never a 5xx; never a changed row on a rejected (4xx) request:
// each request connects to Postgres under its own application_name and a trigger on every table
// logs which connection wrote which row; batches of only rejected requests are also cross-checked
// with an md5 per table. `npm test`: 2,000 requests; `npm run test:stress`: 20,000.
import fc from "fast-check";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { at, type Client, ID, read } from "../harness/client";
import { makeCategory, makeProduct, makeUser } from "../harness/fixtures";
import { scaled } from "../support/stack";
import {
  buildWorld,
  CHANGE_LOG_SQL,
  CHECKSUM_SQL,
  type FuzzRequest,
  type FuzzWorld,
  requestArb,
  servedRoutes,
  tagged,
} from "./fuzz-support";
import { useWorker } from "./support";

const RUNS = scaled(inject("stress"), 2_000, 20_000);
/** Requests between two reads of the change log (and md5 cross-checks). */
const BATCH = 100;

const w = useWorker();
let world: FuzzWorld;
beforeAll(async () => {
  world = await buildWorld(w);
  await w.query(CHANGE_LOG_SQL);
});

const checksum = async () => (await w.query(CHECKSUM_SQL))[0] as Record<string, string>;

const show = (r: FuzzRequest) => `${r.method} ${r.path} ${JSON.stringify(r.headers)} ${r.body?.slice(0, 300) ?? ""}`;

describe("fuzzing every route", () => {
  it(
    `answers ${RUNS} random requests without a 5xx, and no rejected one changes a row`,
    async () => {
      const routes = servedRoutes();
      const stats = {
        requests: 0,
        byClass: {} as Record<string, number>,
        routes: new Set<string>(),
        rejectedChecked: 0,
        batchesCrossChecked: 0,
        attributedWrites: 0,
      };
      /** The batch since the last check: each request's connection name, its answer, and what it was. */
      let batch: { app: string; status: number; req: FuzzRequest }[] = [];
      let before = await checksum();

      /**
       * Which requests of the batch wrote rows (the trigger log, by connection name): none may be a
       * 4xx. A batch of only 4xx must also leave every table's md5 as it was.
       */
      async function check() {
        const rows = await w.query<{ app: string; tbl: string; op: string }>(
          "delete from fuzz_changes returning app, tbl, op",
        );
        // Every write is attributed to a request of this batch, or the tagging itself is broken.
        const apps = new Set(batch.map((b) => b.app));
        const stray = rows.filter((r) => !apps.has(r.app));
        if (stray.length) throw new Error(`writes by unknown connections: ${JSON.stringify(stray.slice(0, 5))}`);
        stats.attributedWrites += rows.length;
        for (const { app, status, req } of batch) {
          if (status < 400) continue;
          const writes = rows.filter((r) => r.app === app);
          if (writes.length)
            throw new Error(`${status} but ${writes.map((r) => `${r.op} ${r.tbl}`).join(", ")}, for ${show(req)}`);
          stats.rejectedChecked++;
        }
        const after = await checksum();
        if (batch.every((b) => b.status >= 400)) {
          const changed = Object.keys(before).filter((t) => before[t] !== after[t]);
          if (changed.length) throw new Error(`a batch of rejected requests changed ${changed.join(", ")}`);
          stats.batchesCrossChecked++;
        }
        before = after;
        batch = [];
      }

      await fc.assert(
        fc.asyncProperty(requestArb(world, routes), async (req) => {
          const app = `fuzz-${stats.requests}`;
          const res = await w.request(
            req.path,
            { method: req.method, headers: req.headers, body: req.body },
            { DATABASE_URL: tagged(w.env.DATABASE_URL, app) },
          );
          const text = await res.text();
          if (res.webSocket) {
            res.webSocket.accept();
            res.webSocket.close();
          }
          stats.requests++;
          if (routes.includes(req.route)) stats.routes.add(req.route);
          const klass = `${String(res.status)[0]}xx`;
          stats.byClass[klass] = (stats.byClass[klass] ?? 0) + 1;
          batch.push({ app, status: res.status, req });
          if (res.status >= 500) throw new Error(`${res.status} ${text.slice(0, 200)} for ${show(req)}`);
          if (
            res.status >= 400 &&
            res.status !== 405 &&
            res.headers.get("content-type")?.startsWith("application/json") !== true
          ) {
            throw new Error(`${res.status} without JSON for ${show(req)}`);
          }
          if (batch.length >= BATCH) await check();
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      await check();

      console.log(
        `fuzz: ${stats.requests} requests over ${stats.routes.size} routes (${routes.length} served); ${JSON.stringify(stats.byClass)}; ` +
          `${stats.rejectedChecked} rejected requests checked for row writes (trigger log, ${stats.attributedWrites} writes of accepted ones seen), ${stats.batchesCrossChecked} all-rejected batches cross-checked by md5`,
      );
      expect(stats.requests).toBeGreaterThanOrEqual(RUNS);
      // The accepted requests' writes were seen, so the log does watch the requests' connections.
      expect(stats.attributedWrites).toBeGreaterThan(0);
      expect(routes.filter((r) => !stats.routes.has(r))).toEqual([]);
    },
    scaled(inject("stress"), 120_000, 1_200_000),
  );

  // Found by this fuzzing: the first cart request of a customer made the cart before it was refused.
  it("makes no cart for a customer whose first cart requests are refused", async () => {
    const u = await makeUser(w);
    const product = await makeProduct(w, {
      name: "Scarce",
      price: "2.00",
      stock: 1,
      category: await makeCategory(w, "No cart"),
    });
    const carts = async () => (await w.query("select 1 from carts where user_id = $1", [u.id])).length;
    const cart = w.as(u).orders.cart;
    const refused: [string, () => Promise<{ status: number }>][] = [
      [
        "POST add_item (no such product)",
        () => cart.add_item.$post({ json: { product_id: 2_000_000_000, quantity: 1 } }),
      ],
      ["POST add_item (too many)", () => cart.add_item.$post({ json: { product_id: product, quantity: 2 } })],
      ["PUT update_item", () => cart.update_item.$put({ json: { item_id: 1, quantity: 1 } })],
      ["DELETE remove_item", () => cart.remove_item.$delete({ query: { item_id: "1" } })],
    ];
    for (const [what, call] of refused) {
      const res = await call();
      expect([400, 404], what).toContain(res.status);
      expect(await carts(), what).toBe(0);
    }
    const added = await cart.add_item.$post({ json: { product_id: product, quantity: 1 } });
    expect(added.status).toBe(200);
    expect(await carts()).toBe(1);
  });

  // Found by this fuzzing (stress mode): a NUL character reached Postgres, which refuses it, and answered 500.
  it("refuses NUL characters in any text field or filter with DRF's message", async () => {
    const api = w.as((await makeUser(w, { staff: true })).token);
    const nul = "bad\u0000value";
    const cases: [string, (api: Client["api"]) => Promise<{ status: number; headers: Headers }>, string][] = [
      [
        "PUT /api/products/categories/2/",
        (a) => a.products.categories[ID].$put({ ...at(2), json: { name: nul } }),
        "name",
      ],
      ["POST /api/products/", (a) => a.products.$post({ json: { name: nul, price: "1.00", category: 1 } }), "name"],
      ["PATCH /api/auth/profile/", (a) => a.auth.profile.$patch({ json: { city: nul } }), "city"],
      [
        "POST /api/auth/register/",
        (a) =>
          a.auth.register.$post({
            json: {
              username: "nul",
              email: "n@x.io",
              password: "nul-pass-1",
              password2: "nul-pass-1",
              first_name: nul,
            },
          }),
        "first_name",
      ],
      [
        "POST /api/auth/login/",
        (a) => a.auth.login.$post({ json: { username: nul, password: "whatever-1" } }),
        "username",
      ],
      [
        "POST /api/orders/",
        (a) => a.orders.$post({ json: { shipping_address: `12 Long Street ${nul}`, phone_number: "+1555" } }),
        "shipping_address",
      ],
      ["GET /api/products/?search=", (a) => a.products.$get({ query: { search: nul } }), "search"],
    ];
    for (const [what, call, field] of cases) {
      const res = await read(call(api));
      expect([res.status, res.body], what).toEqual([400, { [field]: ["Null characters are not allowed."] }]);
    }
  });
});
