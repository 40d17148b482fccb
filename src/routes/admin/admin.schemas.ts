import * as z from "zod";
import { INT4_MAX, bodyField, optionalQuery, parseInteger } from "../../lib/fields";
import { pageParams } from "../../lib/pagination";
import { status } from "../orders/orders.schemas";

/** Whitespace-separated terms, each of which must match (DRF's SearchFilter). */
const search = optionalQuery(z.string().max(200));

export const customersQuery = z.object({ ...pageParams, search });

export const adminOrdersQuery = z.object({
  ...pageParams,
  status: optionalQuery(status),
  search,
  user: bodyField(parseInteger(1, INT4_MAX)).optional(),
});

export type CustomersQuery = z.infer<typeof customersQuery>;
export type AdminOrdersQuery = z.infer<typeof adminOrdersQuery>;
