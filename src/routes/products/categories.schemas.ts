import * as z from "zod";
import { bodyField, parseText } from "../../lib/fields";

const categoryFields = {
  name: bodyField(parseText(100)),
  description: bodyField(parseText(Number.MAX_SAFE_INTEGER, true)).optional(),
};

export const categoryCreate = z.object(categoryFields);
/** PUT and PATCH are both partial, as for products. */
export const categoryUpdate = z.object(categoryFields).partial();

export type CategoryCreate = z.infer<typeof categoryCreate>;
export type CategoryUpdate = z.infer<typeof categoryUpdate>;
