import { type Context, Hono } from "hono";
import type { AppEnv } from "../../context";
import { fieldError, notFound } from "../../lib/errors";
import { ID, pathId } from "../../lib/fields";
import { toPage } from "../../lib/pagination";
import { validate } from "../../lib/validate";
import { authorized, requireStaff } from "../../middleware/auth";
import { doc, PARTIAL_UPDATES } from "../../openapi/describe";
import { enqueueAfter } from "../../webhooks/fanout";
import { guardUrl } from "../../webhooks/resolve";
import { targetRules } from "../../webhooks/send";
import {
  DEFAULT_GRACE_SECONDS,
  deliveriesQuery,
  endpointCreate,
  endpointsQuery,
  endpointUpdate,
  rotateBody,
} from "./webhooks.schemas";
import {
  CreatedWebhookEndpoint,
  RotatedSecret,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointPage,
} from "./webhooks.serialize";
import {
  createEndpointQuery,
  deleteEndpointQuery,
  deliveriesPage,
  deliveriesQueries,
  endpointQuery,
  endpointsPageQuery,
  oneDelivery,
  oneEndpoint,
  redeliverQuery,
  rotateSecretQuery,
  testEventQuery,
  updateEndpointQuery,
} from "./webhooks.service";

const DELIVERY = "/:delivery{[0-9]+}";

/**
 * The URL as it will be called, or the field error: https (loopback http only when
 * WEBHOOK_ALLOW_LOOPBACK says so), and every address its host resolves to public.
 */
async function checkedUrl(c: Context<AppEnv>, url: string): Promise<string> {
  const { policy, resolver } = targetRules(c.var.config);
  const check = await guardUrl(url, policy, resolver);
  if (!check.ok) throw fieldError("url", check.reason);
  return check.url.href;
}

/** Outgoing webhooks (README "Webhooks"), mounted at /api/admin/webhooks; staff only. */
const webhooks = new Hono<AppEnv>()
  .get(
    "/",
    doc({
      tag: "admin",
      summary: "Webhook endpoints, newest first, with their delivery health (paginated)",
      errors: [404],
      ok: { status: 200, description: "One page of endpoints", schema: WebhookEndpointPage },
    }),
    requireStaff(),
    validate("query", endpointsQuery),
    async (c) => {
      const query = c.req.valid("query");
      const [{ rows }] = await authorized(c, endpointsPageQuery(c.var.db, query));
      const results = rows.map((r) => r.endpoint);
      return c.json(toPage(c.req.url, query, rows[0]?.total ?? 0, results), 200);
    },
  )
  .post(
    "/",
    doc({
      tag: "admin",
      summary: "Add a webhook endpoint",
      description:
        "The URL must be https and resolve only to public addresses. The answer holds the signing secret, which is never shown again.",
      ok: { status: 201, description: "Created, with its secret", schema: CreatedWebhookEndpoint },
    }),
    requireStaff(),
    validate("json", endpointCreate),
    async (c) => {
      const body = c.req.valid("json");
      const url = await checkedUrl(c, body.url);
      const [{ rows }] = await authorized(c, createEndpointQuery(c.var.db, { ...body, url }));
      const row = rows[0]!;
      return c.json({ ...row.endpoint, secret: row.secret! }, 201);
    },
  )
  .get(
    ID,
    doc({
      tag: "admin",
      summary: "One webhook endpoint",
      ok: { status: 200, description: "The endpoint", schema: WebhookEndpoint },
    }),
    requireStaff(),
    async (c) => c.json(oneEndpoint((await authorized(c, endpointQuery(c.var.db, pathId(c.req.param("id")))))[0]), 200),
  )
  .on(
    ["PUT", "PATCH"],
    ID,
    doc({
      tag: "admin",
      summary: "Change a webhook endpoint; `is_active: true` turns a disabled one back on",
      description: PARTIAL_UPDATES,
      ok: { status: 200, description: "Updated", schema: WebhookEndpoint },
    }),
    requireStaff(),
    validate("json", endpointUpdate),
    async (c) => {
      const id = pathId(c.req.param("id"));
      const body = c.req.valid("json");
      const url = body.url === undefined ? undefined : await checkedUrl(c, body.url);
      const [, read] = await authorized(
        c,
        updateEndpointQuery(c.var.db, id, { ...body, url }),
        endpointQuery(c.var.db, id),
      );
      return c.json(oneEndpoint(read), 200);
    },
  )
  .delete(
    ID,
    doc({
      tag: "admin",
      summary: "Remove a webhook endpoint, its deliveries and their log",
      ok: { status: 204, description: "Deleted" },
    }),
    requireStaff(),
    async (c) => {
      const [{ rows }] = await authorized(c, deleteEndpointQuery(c.var.db, pathId(c.req.param("id"))));
      if (rows.length === 0) throw notFound();
      return c.body(null, 204);
    },
  )
  .post(
    `${ID}/rotate-secret`,
    doc({
      tag: "admin",
      summary: "Replace the signing secret; the old one keeps signing for `grace_seconds`",
      description:
        "During the grace period every delivery carries both signatures, so a receiver with either secret verifies.",
      ok: { status: 200, description: "The new secret, shown only here", schema: RotatedSecret },
    }),
    requireStaff(),
    validate("json", rotateBody),
    async (c) => {
      const grace = c.req.valid("json").grace_seconds ?? DEFAULT_GRACE_SECONDS;
      const [{ rows }] = await authorized(c, rotateSecretQuery(c.var.db, pathId(c.req.param("id")), grace));
      if (rows.length === 0) throw notFound();
      return c.json(rows[0]!, 200);
    },
  )
  .post(
    `${ID}/test`,
    doc({
      tag: "admin",
      summary: "Send a `webhook.test` event to the endpoint",
      ok: { status: 202, description: "Queued; its outcome appears in the deliveries", schema: WebhookDelivery },
    }),
    requireStaff(),
    async (c) => {
      const id = pathId(c.req.param("id"));
      const [made] = await authorized(c, testEventQuery(c.var.db, id, Boolean(c.env.WEBHOOKS)));
      const delivery = oneDelivery(made);
      enqueueAfter(c, [delivery]);
      return c.json(delivery, 202);
    },
  )
  .get(
    `${ID}/deliveries`,
    doc({
      tag: "admin",
      summary: "The endpoint's deliveries, newest first, each with its attempts (paginated)",
      errors: [404],
      ok: { status: 200, description: "One page of deliveries", schema: WebhookDeliveryPage },
    }),
    requireStaff(),
    validate("query", deliveriesQuery),
    async (c) => {
      const query = c.req.valid("query");
      const id = pathId(c.req.param("id"));
      const { count, results } = deliveriesPage(await authorized(c, ...deliveriesQueries(c.var.db, id, query)));
      return c.json(toPage(c.req.url, query, count, results), 200);
    },
  )
  .post(
    `${ID}/deliveries${DELIVERY}/redeliver`,
    doc({
      tag: "admin",
      summary: "Send a delivery again now, whatever its state",
      ok: { status: 202, description: "Queued", schema: WebhookDelivery },
    }),
    requireStaff(),
    async (c) => {
      const id = pathId(c.req.param("id"));
      const deliveryId = pathId(c.req.param("delivery"));
      const [made] = await authorized(c, redeliverQuery(c.var.db, id, deliveryId, Boolean(c.env.WEBHOOKS)));
      const delivery = oneDelivery(made);
      enqueueAfter(c, [delivery]);
      return c.json(delivery, 202);
    },
  );

export default webhooks;
