import * as z from "zod";

/*
 * Building blocks of the response schemas. Each resource's schemas live beside its serializers
 * (`routes/<resource>/*.serialize.ts`), which are typed by them; a schema with an `id` becomes
 * `#/components/schemas/<id>` in the document.
 */

export const money = z
  .string()
  .regex(/^-?\d+\.\d{2}$/)
  .meta({ description: 'Decimal string with two places, e.g. "1299.99".' });
export const timestamp = z.iso.datetime();
export const id = z.int().positive();
export const count = z.int().nonnegative();

/** DRF's page body around `item`. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ count, next: z.url().nullable(), previous: z.url().nullable(), results: z.array(item) });

export const Detail = z.object({ detail: z.string() }).meta({ id: "Detail" });
export const FieldErrors = z.record(z.string(), z.array(z.string())).meta({
  id: "FieldErrors",
  description: 'DRF validation errors: `{"<field>": ["message", ...]}`, `non_field_errors` for cross-field ones.',
});
export const TokenNotValid = z
  .object({ detail: z.string(), code: z.literal("token_not_valid") })
  .meta({ id: "TokenNotValid" });
