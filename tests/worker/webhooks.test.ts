// The webhook routes' refusals: every bad body, query or id a 4xx in DRF's shape, and nothing
// written by any of them. (Deliveries themselves: tests/e2e/webhooks.test.ts.)
import { beforeAll, describe, expect, it } from "vitest";
import { bearer, json } from "../harness/client";
import { makeUser, type User } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
let staff: User;
let endpoint: number;

const send = async (path: string, init: RequestInit = {}) => {
  const res = await w.request(path, { ...init, headers: { ...bearer(staff), ...(init.headers as object) } });
  return { status: res.status, body: await res.json().catch(() => null) };
};
const rows = async () =>
  (
    await w.query<{ n: string }>(
      `select (select count(*) from webhook_endpoints) + (select count(*) from webhook_events)
            + (select count(*) from webhook_deliveries) + (select count(*) from webhook_attempts) as n`,
    )
  )[0]!.n;

beforeAll(async () => {
  staff = await makeUser(w, { staff: true });
  const made = await send(
    "/api/admin/webhooks/",
    json({ url: "https://93.184.216.34/hook", events: ["order.created"], is_active: false }),
  );
  expect(made.status).toBe(201);
  endpoint = (made.body as { id: number }).id;
});

describe("webhook routes refuse bad input and write nothing", () => {
  const good = { url: "https://93.184.216.34/hook", events: ["order.created"] };
  it.each([
    [{ ...good, events: ["order.shipped"] }, { events: ['"order.shipped" is not a valid choice.'] }],
    [{ ...good, events: [] }, { events: ["This selection may not be empty."] }],
    [{ ...good, events: "order.created" }, { events: ['Expected a list of items but got type "str".'] }],
    [{ ...good, events: [null] }, { events: ['"null" is not a valid choice.'] }],
    [{ events: good.events }, { url: ["This field is required."] }],
    [{ ...good, url: 5 }, { url: ["Not a valid string."] }],
    [{ ...good, url: "" }, { url: ["This field may not be blank."] }],
    [
      { ...good, url: `https://93.184.216.34/${"a".repeat(2001)}` },
      { url: ["Ensure this field has no more than 2000 characters."] },
    ],
    [
      { ...good, url: "https://127.0.0.1/" },
      { url: ["Private, loopback, link-local and metadata addresses are not allowed."] },
    ],
    [{ ...good, url: "http://127.0.0.1:9/" }, { url: ["Only https URLs are allowed."] }],
    [{ ...good, is_active: "maybe" }, { is_active: ["Must be a valid boolean."] }],
    [{ ...good, follow_redirects: [] }, { follow_redirects: ["Must be a valid boolean."] }],
    [
      { ...good, description: "d".repeat(201) },
      { description: ["Ensure this field has no more than 200 characters."] },
    ],
  ])("POST %j → 400 %j", async (body, errors) => {
    const before = await rows();
    const r = await send("/api/admin/webhooks/", json(body));
    expect([r.status, r.body]).toEqual([400, errors]);
    expect(await rows()).toBe(before);
  });

  it("malformed JSON, and PATCH with bad fields", async () => {
    const before = await rows();
    expect((await send("/api/admin/webhooks/", json("{not json"))).status).toBe(400);
    const patched = await send(`/api/admin/webhooks/${endpoint}/`, json({ events: ["nope"] }, { method: "PATCH" }));
    expect([patched.status, patched.body]).toEqual([400, { events: ['"nope" is not a valid choice.'] }]);
    for (const grace_seconds of [-1, 604801, "soon", 1.5]) {
      const r = await send(`/api/admin/webhooks/${endpoint}/rotate-secret/`, json({ grace_seconds }));
      expect(r.status, String(grace_seconds)).toBe(400);
      expect(Object.keys(r.body as object)).toEqual(["grace_seconds"]);
    }
    expect(await rows()).toBe(before);
  });

  it("unknown ids are 404 on every route, ids past int4 too", async () => {
    const before = await rows();
    for (const missing of [999999, 99999999999]) {
      expect((await send(`/api/admin/webhooks/${missing}/`)).status).toBe(404);
      expect(
        (await send(`/api/admin/webhooks/${missing}/`, json({ description: "x" }, { method: "PATCH" }))).status,
      ).toBe(404);
      expect((await send(`/api/admin/webhooks/${missing}/`, { method: "DELETE" })).status).toBe(404);
      expect((await send(`/api/admin/webhooks/${missing}/rotate-secret/`, json({}))).status).toBe(404);
      expect((await send(`/api/admin/webhooks/${missing}/test/`, { method: "POST" })).status).toBe(404);
      expect((await send(`/api/admin/webhooks/${missing}/deliveries/`)).status).toBe(404);
      expect(
        (await send(`/api/admin/webhooks/${endpoint}/deliveries/${missing}/redeliver/`, { method: "POST" })).status,
      ).toBe(404);
    }
    expect(await rows()).toBe(before);
  });

  it("bad queries are 400 naming the parameter; a page past the end is 404", async () => {
    expect(await send(`/api/admin/webhooks/${endpoint}/deliveries/?status=lost`)).toMatchObject({
      status: 400,
      body: { status: ["Select a valid choice."] },
    });
    expect((await send("/api/admin/webhooks/?page_size=1000")).status).toBe(400);
    expect(await send("/api/admin/webhooks/?page=50")).toEqual({ status: 404, body: { detail: "Invalid page." } });
  });

  it("customers are refused (403) and anonymous callers asked to log in (401)", async () => {
    const customer = await makeUser(w);
    const as = (who?: User) => w.request("/api/admin/webhooks/", who ? { headers: bearer(who) } : {});
    expect((await as(customer)).status).toBe(403);
    expect((await as()).status).toBe(401);
  });
});
