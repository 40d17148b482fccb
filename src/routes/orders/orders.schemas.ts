import * as z from "zod";
import { ORDER_STATUSES } from "../../db/schema";
import { bodyField, INT4_MAX, parseInteger } from "../../lib/fields";
import { pageParams } from "../../lib/pagination";

const validChoices = `Valid choices: ${ORDER_STATUSES.join(", ")}`;

/** An order status; an unknown value is answered with the list of valid ones. */
export const status = z.enum(ORDER_STATUSES, {
  error: (iss) =>
    iss.input === undefined
      ? "This field is required."
      : `"${String(iss.input)}" is not a valid choice. ${validChoices}`,
});

export const placeOrderBody = z.object({
  // DRF's CharField trims before checking lengths.
  shipping_address: z.string().trim().min(10).max(2000),
  phone_number: z
    .string()
    .trim()
    .min(1)
    .max(20)
    .regex(/^\+?[0-9][0-9 ().-]*$/, "Enter a valid phone number."),
});

export const updateStatusBody = z.object({ status });

export const listOrdersQuery = z.object({
  ...pageParams,
  status: status.optional().meta({ description: "Only orders in this status" }),
  user: bodyField(parseInteger(1, INT4_MAX)).optional().meta({ description: "Staff only: orders of this user id" }),
});
