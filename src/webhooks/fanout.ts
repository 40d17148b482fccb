import { sql } from "drizzle-orm";
import type { Context } from "hono";
import type { Bindings, Config } from "../config";
import type { AppEnv } from "../context";
import { connect, type Db } from "../db/client";
import { log } from "../lib/log";

/** A queue message: one event for one endpoint, named by its delivery row. */
export interface WebhookMessage {
  delivery: number;
}

/** Queues takes at most 100 messages in one `sendBatch`. */
export const SEND_BATCH = 100;
/** A pending delivery whose message is this late was lost (a send that failed after its claim): the sweep sends it again. */
const OVERDUE = "15 minutes";

/**
 * Claims deliveries for the queue: those never sent and, for the sweep (`overdue`), those whose
 * message is long overdue. SKIP LOCKED lets concurrent claims split the rows instead of waiting.
 * In a write's own batch it claims what that write's triggers just made. Without a `queue` to
 * send to (`npm start`'s bare workerd) it claims nothing: the rows wait for a runtime that has one.
 */
export function claimQuery(db: Db, { overdue = false, queue = true }: { overdue?: boolean; queue?: unknown } = {}) {
  const late = overdue ? sql`OR (status = 'pending' AND next_attempt_at < now() - ${OVERDUE}::interval)` : sql``;
  return db.execute<{ id: string }>(sql`
    UPDATE webhook_deliveries SET enqueued_at = now(), next_attempt_at = now()
    WHERE id IN (
      SELECT id FROM webhook_deliveries WHERE enqueued_at IS NULL ${late}
      ORDER BY id LIMIT ${queue ? SEND_BATCH : 0}::int FOR UPDATE SKIP LOCKED)
    RETURNING id`);
}

/** Events, with their deliveries and attempt log, are kept this long (a settled one; a pending one stays). */
export const RETENTION = "30 days";
/** Removed per sweep at most, so a first sweep over a long backlog stays short. */
const PRUNE_BATCH = 1000;

/** The oldest events past their retention whose deliveries are all settled. */
export const pruneQuery = (db: Db) =>
  db.execute(sql`
    DELETE FROM webhook_events WHERE id IN (
      SELECT e.id FROM webhook_events e
      WHERE e.created_at < now() - ${RETENTION}::interval
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
      ORDER BY e.created_at LIMIT ${PRUNE_BATCH})`);

/**
 * Puts claimed deliveries on the queue. A failure is only logged: claimed and not sent, they are
 * sent by the sweep once they are overdue.
 */
export async function enqueue(
  queue: Queue<WebhookMessage>,
  rows: readonly { id: string | number }[],
  requestId: string,
): Promise<void> {
  if (rows.length === 0) return;
  try {
    await queue.sendBatch(rows.map((r) => ({ body: { delivery: Number(r.id) }, contentType: "json" as const })));
  } catch (err) {
    log("warn", "webhook enqueue failed, the sweep will retry", { requestId, error: String(err) });
  }
}

/** After commit, in the background: puts the deliveries a request's batch claimed on the queue. */
export function enqueueAfter(c: Context<AppEnv>, rows: readonly { id: string | number }[]): void {
  if (rows.length > 0 && c.env.WEBHOOKS) c.executionCtx.waitUntil(enqueue(c.env.WEBHOOKS, rows, c.var.requestId));
}

/** Claims and enqueues what is waiting, until nothing is (a batch at a time). */
export async function flushWebhooks(
  env: Bindings,
  config: Config,
  { overdue = false, requestId = `webhooks-${crypto.randomUUID()}` } = {},
): Promise<number> {
  if (!env.WEBHOOKS) return 0;
  const { db } = connect(config);
  let sent = 0;
  for (let first = true; ; first = false) {
    // The sweep's first claim also prunes, in the same round trip.
    const [{ rows }] =
      overdue && first
        ? await db.batch([claimQuery(db, { overdue }), pruneQuery(db)])
        : [await claimQuery(db, { overdue })];
    await enqueue(env.WEBHOOKS, rows, requestId);
    sent += rows.length;
    if (rows.length < SEND_BATCH) return sent;
  }
}
