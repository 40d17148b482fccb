import * as z from "zod";
import { bodyField, INT4_MAX, parseInteger, parsePk } from "../../lib/fields";

// Any whole number is accepted as an item id; one that names no line of the caller's cart is a 404.
const itemId = () => bodyField(parseInteger(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));

/** Whether the product exists is the service's query, worded as DRF's related field. */
export const addItemBody = z.object({
  product_id: bodyField(parsePk),
  quantity: bodyField(parseInteger(1, INT4_MAX)).default(1),
});

export const updateItemBody = z.object({
  item_id: itemId(),
  // 0 removes the line, as the contract says.
  quantity: bodyField(parseInteger(0, INT4_MAX)),
});

export const removeItemQuery = z.object({ item_id: itemId().meta({ description: "Id of the line in your cart" }) });
