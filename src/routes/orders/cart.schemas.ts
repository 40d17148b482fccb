import * as z from "zod";
import { INT4_MAX, integer } from "./fields";

/** Ids are checked for existence by the service, which words the error as DRF does. */
export const addItemBody = z.object({
  product_id: integer(),
  quantity: integer(1, INT4_MAX).default(1),
});

export const updateItemBody = z.object({
  item_id: integer(),
  // 0 removes the line, as the contract says.
  quantity: integer(0, INT4_MAX),
});

export const removeItemQuery = z.object({ item_id: integer() });
