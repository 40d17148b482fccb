import * as z from "zod";
import {
  bodyField,
  decimalQuery,
  INT4_MAX,
  INVALID_CHOICE,
  moneyField,
  optionalQuery,
  parseInteger,
  parsePk,
  parseText,
} from "../../lib/fields";
import { pageParams, queryInt } from "../../lib/pagination";

export const ORDERINGS = ["price", "-price", "created_at", "-created_at", "stock", "-stock", "name", "-name"] as const;
export type Ordering = (typeof ORDERINGS)[number];

/** An id that cannot exist (letters, beyond int4) gets the same answer as an unknown one. */
const categoryFilter = z
  .string()
  .regex(/^\s*\d{1,10}\s*$/, INVALID_CHOICE)
  .transform(Number)
  .refine((id) => id >= 1 && id <= INT4_MAX, INVALID_CHOICE);

const booleanFilter = z.string().transform((value, ctx) => {
  const v = value.trim().toLowerCase();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  ctx.addIssue({ code: "custom", message: "Must be a valid boolean." });
  return z.NEVER;
});

const categoryParam = () => optionalQuery(categoryFilter).meta({ description: "Category id" });

/** The filters the list and its facets share. */
const filterParams = {
  category: categoryParam(),
  min_price: optionalQuery(decimalQuery()).meta({ description: "Lowest price, inclusive (decimal)" }),
  max_price: optionalQuery(decimalQuery()).meta({ description: "Highest price, inclusive (decimal)" }),
  in_stock: optionalQuery(booleanFilter).meta({ description: "`true` or `false`" }),
  search: optionalQuery(
    z
      .string()
      .max(200)
      .transform((text) => text.trim() || undefined),
  ).meta({
    description:
      'Full-text search of names (weighted higher) and descriptions, English stems ("keyboards" finds "keyboard"); `"quoted phrases"`, `-excluded` words and `or` as in web search engines; the last word also matches as a prefix. When nothing matches, names similar to the words typed (typos). Answers say which in `X-Search-Mode: fulltext|fuzzy`.',
  }),
};

export const listQuery = z.object({
  ...pageParams,
  ...filterParams,
  ordering: optionalQuery(z.enum(ORDERINGS)).meta({
    description: "Sort order (default: by relevance when `search` is given, ties by id; else `-created_at`)",
  }),
});
export type ListQuery = z.infer<typeof listQuery>;

export const facetsQuery = z.object(filterParams);

export const lowStockQuery = z.object({
  threshold: queryInt(1, INT4_MAX).default(10).meta({ description: "Exclusive upper bound on stock (default 10)" }),
  category: categoryParam(),
});

const productFields = {
  name: bodyField(parseText(200)),
  description: bodyField(parseText(Number.MAX_SAFE_INTEGER, true)).optional(),
  price: moneyField(),
  stock: bodyField(parseInteger(0, INT4_MAX)).optional(),
  category: bodyField(parsePk),
};

export const productCreate = z.object(productFields);
/** PUT and PATCH are both partial: the seed's own client sends a partial PUT. */
export const productUpdate = z.object(productFields).partial();

export type ProductCreate = z.infer<typeof productCreate>;
export type ProductUpdate = z.infer<typeof productUpdate>;
