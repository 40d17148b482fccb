// The minute sweep's part in webhooks (src/webhooks/fanout.ts): it queues the deliveries that
// commit-time fan-out missed (never queued, or pending with their message long overdue) and
// removes events past their retention once nothing of them is pending.
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import { flushWebhooks } from "../../src/webhooks/fanout";
import { useWorker } from "./support";

const w = useWorker();

/** An event of `age` with one delivery to an endpoint that is off (its messages are never sent anywhere). */
async function eventWith(
  endpoint: number,
  age: string,
  delivery: { status: string; enqueued: string | null; next: string | null },
) {
  const [event] = await w.query<{ id: string }>(
    "insert into webhook_events (type, payload, created_at) values ('webhook.test', '{}', now() - $1::interval) returning id",
    [age],
  );
  const [row] = await w.query<{ id: string }>(
    `insert into webhook_deliveries (event_id, endpoint_id, status, enqueued_at, next_attempt_at)
     values ($1, $2, $3, now() - $4::interval, now() - $5::interval) returning id`,
    [event!.id, endpoint, delivery.status, delivery.enqueued, delivery.next],
  );
  return { event: Number(event!.id), delivery: Number(row!.id) };
}

describe("the sweep", () => {
  it("queues what fan-out missed and prunes settled events past 30 days", async () => {
    const [endpoint] = await w.query<{ id: number }>(
      "insert into webhook_endpoints (url, events, secret, is_active) values ('https://93.184.216.34/', '{order.created}', 'whsec_x', false) returning id",
    );
    const id = endpoint!.id;
    const unsent = await eventWith(id, "1 minute", { status: "pending", enqueued: null, next: null });
    const overdue = await eventWith(id, "1 hour", { status: "pending", enqueued: "1 hour", next: "20 minutes" });
    const waiting = await eventWith(id, "1 hour", { status: "pending", enqueued: "1 hour", next: "-1 hour" });
    const oldDone = await eventWith(id, "31 days", { status: "delivered", enqueued: "31 days", next: null });
    const oldPending = await eventWith(id, "31 days", { status: "pending", enqueued: "1 minute", next: "-1 hour" });
    const recentDone = await eventWith(id, "29 days", { status: "failed", enqueued: "29 days", next: null });

    const queued = await flushWebhooks(w.env, readConfig(w.env), { overdue: true });
    expect(queued).toBe(2);
    const claimed = await w.query<{ id: string }>(
      "select id from webhook_deliveries where enqueued_at > now() - interval '1 minute' order by id",
    );
    expect(claimed.map((r) => Number(r.id))).toEqual(expect.arrayContaining([unsent.delivery, overdue.delivery]));
    expect(claimed.map((r) => Number(r.id))).not.toContain(waiting.delivery);
    const events = (await w.query<{ id: string }>("select id from webhook_events")).map((r) => Number(r.id));
    expect(events).not.toContain(oldDone.event);
    expect(events).toEqual(
      expect.arrayContaining([unsent.event, overdue.event, waiting.event, oldPending.event, recentDone.event]),
    );
    // Its deliveries went with it.
    expect(await w.query("select 1 from webhook_deliveries where event_id = $1", [oldDone.event])).toEqual([]);
  });
});
