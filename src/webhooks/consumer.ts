import { sql } from "drizzle-orm";
import * as z from "zod";
import { type Bindings, readConfig } from "../config";
import { connect, type Db } from "../db/client";
import { log } from "../lib/log";
import { announceToStaff } from "../realtime/deliver";
import type { Listeners } from "../realtime/events";
import { staffListeners } from "../realtime/listeners";
import { retryDelay } from "./schedule";
import { batchGuard, type Outcome, type SendOptions, send, targetRules } from "./send";

/** Deliveries to one endpoint in flight at once within a batch; the rest of the batch waits its turn. */
const PER_ENDPOINT = 4;

const messageSchema = z.object({ delivery: z.number().int().positive() });

type Loaded = {
  id: string;
  status: string;
  attempts: number;
  public_id: string;
  type: string;
  payload: unknown;
  created_at: string;
  endpoint_id: number;
  url: string;
  is_active: boolean;
  follow_redirects: boolean;
  secrets: string[];
};

/** The deliveries named by a batch, with their event and endpoint (the secrets still valid). */
const loadQuery = (db: Db, ids: number[]) =>
  db.execute<Loaded>(sql`
    SELECT d.id, d.status, d.attempts, ev.public_id, ev.type, ev.payload,
           to_char(ev.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
           ep.id AS endpoint_id, ep.url, ep.is_active, ep.follow_redirects,
           array_remove(ARRAY[ep.secret, CASE WHEN ep.previous_secret_expires_at > now() THEN ep.previous_secret END], NULL) AS secrets
    FROM webhook_deliveries d
    JOIN webhook_events ev ON ev.id = d.event_id
    JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
    WHERE d.id = ANY(${sql.param(ids)}::bigint[])`);

/** What an attempt came to: delivered, to be retried in `retry_in` seconds, or (neither) failed for good. */
interface Recorded {
  delivery: number;
  ok: boolean;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  retry_in: number | null;
}

/**
 * The attempts of a batch in one statement: the log rows, each delivery's new state, and each
 * endpoint's health; an endpoint with no success for `disableAfter` seconds is disabled. Answers
 * the endpoints disabled now, and the staff feed's listeners to tell.
 */
const recordQuery = (db: Db, attempts: Recorded[], disableAfter: number, refreshTtl: number) =>
  db.execute<{ disabled: { id: number; url: string; reason: string }[] | null; staff: Listeners }>(sql`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(attempts)}::jsonb)
        AS x(delivery bigint, ok boolean, status_code int, duration_ms int, error text, retry_in int)),
    logged AS (
      INSERT INTO webhook_attempts (delivery_id, attempt, status_code, duration_ms, error)
      SELECT d.id, d.attempts + 1, i.status_code, i.duration_ms, i.error
      FROM input i JOIN webhook_deliveries d ON d.id = i.delivery),
    moved AS (
      UPDATE webhook_deliveries d SET
        attempts = d.attempts + 1,
        status = CASE WHEN i.ok THEN 'delivered' WHEN i.retry_in IS NULL THEN 'failed' ELSE 'pending' END,
        delivered_at = CASE WHEN i.ok THEN now() END,
        next_attempt_at = CASE WHEN NOT i.ok AND i.retry_in IS NOT NULL THEN now() + make_interval(secs => i.retry_in) END
      FROM input i WHERE d.id = i.delivery
      RETURNING d.id, d.endpoint_id, i.ok, i.status_code),
    health AS (
      SELECT m.endpoint_id, bool_or(m.ok) AS healthy, (array_agg(m.status_code ORDER BY m.id DESC))[1] AS last_status,
             -- An endpoint failing for the first time has no failing_since yet: not disabled.
             coalesce(NOT bool_or(m.ok) AND e.is_active
               AND e.failing_since <= now() - make_interval(secs => ${disableAfter}::int), false) AS disable
      FROM moved m JOIN webhook_endpoints e ON e.id = m.endpoint_id
      GROUP BY m.endpoint_id, e.is_active, e.failing_since),
    endpoints AS (
      UPDATE webhook_endpoints e SET
        failing_since = CASE WHEN h.healthy THEN NULL ELSE coalesce(e.failing_since, now()) END,
        is_active = e.is_active AND NOT h.disable,
        disabled_reason = CASE WHEN h.disable
          THEN 'Disabled: every delivery failed since ' || to_char(e.failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')
          ELSE e.disabled_reason END,
        updated_at = CASE WHEN h.disable THEN now() ELSE e.updated_at END,
        last_attempt_at = now(), last_status_code = h.last_status
      FROM health h WHERE e.id = h.endpoint_id
      RETURNING e.id, e.url, e.disabled_reason, h.disable)
    SELECT (SELECT json_agg(json_build_object('id', id, 'url', url, 'reason', disabled_reason))
            FROM endpoints WHERE disable) AS disabled,
           ${staffListeners(refreshTtl)} AS staff`);

/** What the receiver gets: the same bytes on every attempt (jsonb keeps its keys in one order). */
const body = (row: Loaded) =>
  JSON.stringify({ id: row.public_id, type: row.type, timestamp: row.created_at, data: row.payload });

/** Runs `work` over `items`, at most `limit` at a time. */
async function limited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

function attempt(row: Loaded, options: SendOptions): Promise<Outcome> | Outcome {
  if (!row.is_active) return { ok: false, statusCode: null, durationMs: 0, error: "The endpoint is disabled." };
  return send(
    { url: row.url, followRedirects: row.follow_redirects, secrets: row.secrets },
    { id: row.public_id, body: body(row) },
    options,
  );
}

/**
 * The queue consumer. Each message's attempt is recorded before it is acknowledged or retried,
 * in one statement for the batch; if recording fails the handler throws and Queues hands the
 * whole batch back (duplicates then carry the same `webhook-id`), so a crash loses nothing.
 */
export async function consumeWebhooks(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const config = readConfig(env);
  const { db } = connect(config);
  const byDelivery = new Map<number, Message<unknown>>();
  for (const message of batch.messages) {
    const parsed = messageSchema.safeParse(message.body);
    if (parsed.success) byDelivery.set(parsed.data.delivery, message);
    else message.ack();
  }
  if (byDelivery.size === 0) return;
  const { rows } = await loadQuery(db, [...byDelivery.keys()]);
  const found = new Set(rows.map((r) => Number(r.id)));
  // Gone (its endpoint deleted) or already settled by an earlier copy of the message: nothing to send.
  for (const [id, message] of byDelivery) if (!found.has(id)) message.ack();
  const due = rows.filter((r) => r.status === "pending");
  for (const r of rows) if (r.status !== "pending") byDelivery.get(Number(r.id))!.ack();

  const options: SendOptions = {
    check: batchGuard(targetRules(config)),
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
  };
  const recorded: Recorded[] = [];
  const byEndpoint = Map.groupBy(due, (r) => r.endpoint_id);
  await Promise.all(
    [...byEndpoint.values()].map((list) =>
      limited(list, PER_ENDPOINT, async (row) => {
        const outcome = await attempt(row, options);
        recorded.push({
          delivery: Number(row.id),
          ok: outcome.ok,
          status_code: outcome.statusCode,
          duration_ms: outcome.durationMs,
          error: outcome.error,
          retry_in: outcome.ok || !row.is_active ? null : retryDelay(row.attempts + 1, config.WEBHOOK_RETRY_SECONDS),
        });
      }),
    ),
  );
  if (recorded.length === 0) return;
  const { rows: result } = await recordQuery(
    db,
    recorded,
    config.WEBHOOK_DISABLE_AFTER_SECONDS,
    config.REFRESH_TOKEN_TTL,
  );
  for (const r of recorded) {
    const message = byDelivery.get(r.delivery)!;
    if (r.ok || r.retry_in === null) message.ack();
    else message.retry({ delaySeconds: r.retry_in });
  }
  const { disabled, staff } = result[0]!;
  for (const endpoint of disabled ?? []) {
    log("warn", "webhook endpoint disabled", { endpointId: endpoint.id, url: endpoint.url });
    const notice = {
      type: "webhook_disabled" as const,
      endpoint_id: endpoint.id,
      url: endpoint.url,
      message: endpoint.reason,
    };
    await announceToStaff(env, config, `webhook_disabled:${endpoint.id}:${endpoint.reason}`, notice, staff).catch(
      (err: unknown) => log("warn", "staff feed not told of a disabled endpoint", { error: String(err) }),
    );
  }
}

/**
 * The dead-letter queue: messages whose consumer kept failing until Queues gave up. Their
 * deliveries are marked failed with a log line saying why; a redeliver sends them again.
 */
export async function consumeDeadWebhooks(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const { db } = connect(readConfig(env));
  const ids = batch.messages.flatMap((m) => {
    const parsed = messageSchema.safeParse(m.body);
    return parsed.success ? [parsed.data.delivery] : [];
  });
  if (ids.length > 0) {
    await db.execute(sql`
      WITH failed AS (
        UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL
        WHERE id = ANY(${sql.param(ids)}::bigint[]) AND status = 'pending' RETURNING id, attempts)
      INSERT INTO webhook_attempts (delivery_id, attempt, status_code, duration_ms, error)
      SELECT id, attempts, NULL, 0, 'Given up: the queue consumer failed on every retry' FROM failed`);
  }
  batch.ackAll();
}
