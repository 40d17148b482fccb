import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { webhookEndpoints as endpoints, type WebhookEventType } from "../../db/schema";
import { notFound } from "../../lib/errors";
import { type PageRequest, pageOffset } from "../../lib/pagination";
import { newSecret } from "../../webhooks/signing";
import { iso } from "../orders/orders.service";
import type { DeliveriesQuery, EndpointCreate, EndpointUpdate } from "./webhooks.schemas";
import type { WebhookDeliveryJson, WebhookEndpointJson } from "./webhooks.serialize";

/** The API's endpoint, written by Postgres from a `webhook_endpoints e` row. */
const endpointJson = sql<WebhookEndpointJson>`json_build_object(
  'id', e.id, 'url', e.url, 'description', e.description, 'events', to_json(e.events),
  'is_active', e.is_active, 'follow_redirects', e.follow_redirects, 'disabled_reason', e.disabled_reason,
  'failing_since', ${iso(sql`e.failing_since`)},
  'previous_secret_expires_at', CASE WHEN e.previous_secret_expires_at > now() THEN ${iso(sql`e.previous_secret_expires_at`)} END,
  'created_at', ${iso(sql`e.created_at`)}, 'updated_at', ${iso(sql`e.updated_at`)},
  'health', (SELECT json_build_object(
      'pending', count(*) FILTER (WHERE d.status = 'pending'),
      'delivered', count(*) FILTER (WHERE d.status = 'delivered'),
      'failed', count(*) FILTER (WHERE d.status = 'failed'),
      'last_attempt_at', ${iso(sql`e.last_attempt_at`)}, 'last_status_code', e.last_status_code)
    FROM webhook_deliveries d WHERE d.endpoint_id = e.id))`;

type EndpointRow = { endpoint: WebhookEndpointJson; total: number; secret?: string };

export const endpointsPageQuery = (db: Db, query: PageRequest) =>
  db.execute<EndpointRow>(sql`
    SELECT ${endpointJson} AS endpoint, count(*) OVER ()::int AS total
    FROM webhook_endpoints e ORDER BY e.id DESC
    LIMIT ${query.page_size}::int OFFSET ${pageOffset(query)}::int`);

export const endpointQuery = (db: Db, id: number) =>
  db.execute<EndpointRow>(sql`SELECT ${endpointJson} AS endpoint FROM webhook_endpoints e WHERE e.id = ${id}::int`);

/** The endpoint a statement answered, or 404. */
export function oneEndpoint({ rows }: { rows: EndpointRow[] }): WebhookEndpointJson {
  const row = rows[0];
  if (!row) throw notFound();
  return row.endpoint;
}

export const createEndpointQuery = (db: Db, body: EndpointCreate) =>
  db.execute<EndpointRow>(sql`
    WITH e AS (
      INSERT INTO webhook_endpoints (url, events, description, is_active, follow_redirects, secret)
      VALUES (${body.url}, ${sql.param(body.events)}::text[], ${body.description ?? ""},
              ${body.is_active ?? true}, ${body.follow_redirects ?? false}, ${newSecret()})
      RETURNING *)
    SELECT ${endpointJson} AS endpoint, e.secret FROM e`);

/** Turning an endpoint back on forgets why it was off and when it started failing. */
export const updateEndpointQuery = (db: Db, id: number, body: EndpointUpdate) =>
  db
    .update(endpoints)
    .set({
      url: body.url,
      events: body.events,
      description: body.description,
      isActive: body.is_active,
      followRedirects: body.follow_redirects,
      ...(body.is_active ? { disabledReason: null, failingSince: null } : {}),
      updatedAt: sql`now()`,
    })
    .where(sql`${endpoints.id} = ${id}::int`);

export const deleteEndpointQuery = (db: Db, id: number) =>
  db.execute<{ id: number }>(sql`DELETE FROM webhook_endpoints WHERE id = ${id}::int RETURNING id`);

/** The new secret signs at once; the old one still signs beside it for `grace` seconds. */
export const rotateSecretQuery = (db: Db, id: number, grace: number) =>
  db.execute<{ secret: string; previous_secret_expires_at: string | null }>(sql`
    UPDATE webhook_endpoints SET
      previous_secret = CASE WHEN ${grace}::int > 0 THEN secret END,
      previous_secret_expires_at = CASE WHEN ${grace}::int > 0 THEN now() + make_interval(secs => ${grace}::int) END,
      secret = ${newSecret()}, updated_at = now()
    WHERE id = ${id}::int
    RETURNING secret, ${iso(sql`previous_secret_expires_at`)} AS previous_secret_expires_at`);

/** The API's delivery, from `webhook_deliveries d` joined to `webhook_events ev`; the log holds the latest 20 attempts. */
const deliveryJson = sql<WebhookDeliveryJson>`json_build_object(
  'id', d.id, 'event_id', ev.public_id, 'event_type', ev.type, 'status', d.status, 'attempts', d.attempts,
  'next_attempt_at', CASE WHEN d.status = 'pending' THEN ${iso(sql`d.next_attempt_at`)} END,
  'delivered_at', ${iso(sql`d.delivered_at`)}, 'created_at', ${iso(sql`d.created_at`)},
  'log', COALESCE((SELECT json_agg(json_build_object('attempt', a.attempt, 'status_code', a.status_code,
                     'duration_ms', a.duration_ms, 'error', a.error, 'at', ${iso(sql`a.created_at`)}) ORDER BY a.id)
           FROM (SELECT * FROM webhook_attempts WHERE delivery_id = d.id ORDER BY id DESC LIMIT 20) a), '[]'::json))`;

type DeliveryRow = { delivery: Omit<WebhookDeliveryJson, "last">; total: number };

/** Whether the endpoint exists, and one page of its deliveries, newest first: for one batch. */
export const deliveriesQueries = (db: Db, endpointId: number, query: DeliveriesQuery) =>
  [
    endpointExists(db, endpointId),
    db.execute<DeliveryRow>(sql`
      SELECT ${deliveryJson} AS delivery, count(*) OVER ()::int AS total
      FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
      WHERE d.endpoint_id = ${endpointId}::int AND (${query.status ?? null}::text IS NULL OR d.status = ${query.status ?? null})
      ORDER BY d.id DESC
      LIMIT ${query.page_size}::int OFFSET ${pageOffset(query)}::int`),
  ] as const;

const endpointExists = (db: Db, id: number) =>
  db.execute<{ found: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ${id}::int) AS found`);

/** The delivery as the API shows it: `last` is the log's latest attempt. */
export const deliveryOut = (d: Omit<WebhookDeliveryJson, "last">): WebhookDeliveryJson => ({
  ...d,
  last: d.log.at(-1) ?? null,
});

export function deliveriesPage([exists, page]: [{ rows: { found: boolean }[] }, { rows: DeliveryRow[] }]) {
  if (!exists.rows[0]?.found) throw notFound();
  return { count: page.rows[0]?.total ?? 0, results: page.rows.map((r) => deliveryOut(r.delivery)) };
}

/**
 * A `webhook.test` event for one endpoint, whatever it subscribes to, with its delivery; claimed
 * for the queue at once when there is one (`queued`).
 */
export const testEventQuery = (db: Db, endpointId: number, queued: boolean) =>
  db.execute<{ delivery: Omit<WebhookDeliveryJson, "last"> }>(sql`
    WITH ep AS (SELECT id FROM webhook_endpoints WHERE id = ${endpointId}::int),
    ev AS (
      INSERT INTO webhook_events (type, payload)
      SELECT ${"webhook.test" satisfies WebhookEventType}, jsonb_build_object('endpoint_id', id, 'message', 'A test event from the staff console') FROM ep
      RETURNING *),
    d AS (
      INSERT INTO webhook_deliveries (event_id, endpoint_id, enqueued_at, next_attempt_at)
      SELECT ev.id, ${endpointId}::int, CASE WHEN ${queued} THEN now() END, now() FROM ev
      RETURNING *)
    SELECT ${deliveryJson} AS delivery FROM d, ev`);

/** Sends a delivery again (one more attempt, then it stands as that attempt left it); claimed for the queue at once. */
export const redeliverQuery = (db: Db, endpointId: number, deliveryId: number, queued: boolean) =>
  db.execute<{ delivery: Omit<WebhookDeliveryJson, "last"> }>(sql`
    WITH d AS (
      UPDATE webhook_deliveries SET status = 'pending', enqueued_at = CASE WHEN ${queued} THEN now() END,
        next_attempt_at = now(), delivered_at = NULL
      WHERE id = ${deliveryId}::bigint AND endpoint_id = ${endpointId}::int
      RETURNING *)
    SELECT ${deliveryJson} AS delivery FROM d JOIN webhook_events ev ON ev.id = d.event_id`);

/** The delivery a statement wrote, or 404. */
export function oneDelivery({ rows }: { rows: { delivery: Omit<WebhookDeliveryJson, "last"> }[] }) {
  const row = rows[0];
  if (!row) throw notFound();
  return deliveryOut(row.delivery);
}
