import * as z from "zod";
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENTS } from "../../db/schema";
import { count, id, page, timestamp } from "../../openapi/schemas";

const health = z.object({
  pending: count,
  delivered: count,
  failed: count,
  last_attempt_at: timestamp.nullable(),
  last_status_code: z.int().nullable(),
});

export const WebhookEndpoint = z
  .object({
    id,
    url: z.string(),
    description: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    is_active: z.boolean(),
    follow_redirects: z.boolean(),
    disabled_reason: z.string().nullable(),
    failing_since: timestamp.nullable(),
    previous_secret_expires_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    health,
  })
  .meta({ id: "WebhookEndpoint" });
export type WebhookEndpointJson = z.infer<typeof WebhookEndpoint>;

const secret = z.string().meta({ description: "The Standard Webhooks signing secret (`whsec_...`); shown only here." });
export const CreatedWebhookEndpoint = WebhookEndpoint.extend({ secret }).meta({ id: "CreatedWebhookEndpoint" });
export const WebhookEndpointPage = page(WebhookEndpoint).meta({ id: "WebhookEndpointPage" });
export const RotatedSecret = z
  .object({ secret, previous_secret_expires_at: timestamp.nullable() })
  .meta({ id: "RotatedSecret" });

const attempt = z.object({
  attempt: z.int().positive(),
  status_code: z.int().nullable(),
  duration_ms: count,
  error: z.string().nullable(),
  at: timestamp,
});

export const WebhookDelivery = z
  .object({
    id,
    event_id: z
      .uuid()
      .meta({ description: "The `webhook-id` header and the payload's `id`; the same on every retry." }),
    event_type: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: count,
    next_attempt_at: timestamp.nullable(),
    delivered_at: timestamp.nullable(),
    created_at: timestamp,
    last: attempt.nullable(),
    log: z.array(attempt).meta({ description: "The latest attempts, oldest first" }),
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDeliveryJson = z.infer<typeof WebhookDelivery>;
export const WebhookDeliveryPage = page(WebhookDelivery).meta({ id: "WebhookDeliveryPage" });
