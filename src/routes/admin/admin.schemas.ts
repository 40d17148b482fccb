import * as z from "zod";
import { bodyField, INT4_MAX, optionalQuery, parseInteger } from "../../lib/fields";
import { pageParams } from "../../lib/pagination";
import { status } from "../orders/orders.schemas";

/** Whitespace-separated terms, each of which must match (DRF's SearchFilter). */
const search = optionalQuery(z.string().max(200)).meta({
  description: "Case-insensitive; every word must match the username, email, first or last name",
});

export const customersQuery = z.object({ ...pageParams, search });

export const adminOrdersQuery = z.object({
  ...pageParams,
  status: optionalQuery(status).meta({ description: "Only orders in this status" }),
  search,
  user: bodyField(parseInteger(1, INT4_MAX))
    .optional()
    .meta({ description: "Only this user's orders (an unknown id is a 400)" }),
});

export type CustomersQuery = z.infer<typeof customersQuery>;
export type AdminOrdersQuery = z.infer<typeof adminOrdersQuery>;

export const cartsQuery = z.object(pageParams);
export const archivedQuery = z.object({
  ...pageParams,
  search: optionalQuery(z.string().max(200)).meta({
    description: "Case-insensitive; every word must match the name or description",
  }),
});
