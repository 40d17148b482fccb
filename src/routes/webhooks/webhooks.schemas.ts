import * as z from "zod";
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENTS } from "../../db/schema";
import { bodyField, optionalQuery, parseBoolean, parseChoices, parseInteger, parseText } from "../../lib/fields";
import { pageParams } from "../../lib/pagination";

/** A URL is checked beyond its length by the route (src/webhooks/address.ts, after resolution). */
const endpointFields = {
  url: bodyField(parseText(2000)),
  events: bodyField(parseChoices(WEBHOOK_EVENTS)),
  description: bodyField(parseText(200, true)).optional(),
  is_active: bodyField(parseBoolean).optional(),
  follow_redirects: bodyField(parseBoolean).optional(),
};

export const endpointCreate = z.object(endpointFields);
/** PUT and PATCH are both partial, as for products. */
export const endpointUpdate = z.object(endpointFields).partial();
export type EndpointCreate = z.infer<typeof endpointCreate>;
export type EndpointUpdate = z.infer<typeof endpointUpdate>;

/** How long the replaced secret still signs: a day by default, at most a week. */
export const DEFAULT_GRACE_SECONDS = 86_400;
export const rotateBody = z.object({
  grace_seconds: bodyField(parseInteger(0, 7 * 86_400))
    .optional()
    .meta({
      description: `Seconds the old secret keeps signing beside the new one (default ${DEFAULT_GRACE_SECONDS})`,
    }),
});

export const endpointsQuery = z.object(pageParams);
export const deliveriesQuery = z.object({
  ...pageParams,
  status: optionalQuery(z.enum(WEBHOOK_DELIVERY_STATUSES, { message: "Select a valid choice." })),
});
export type DeliveriesQuery = z.infer<typeof deliveriesQuery>;
