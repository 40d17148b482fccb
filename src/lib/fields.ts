import * as z from "zod";
import { notFound } from "./errors";
import { parseDecimal, parseMoney } from "./money";

/** Postgres `integer` bounds: ids and counts beyond them must be refused before they reach SQL. */
export const INT4_MAX = 2_147_483_647;

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * A JSON body field read by a plain parser, with DRF's wording for missing and null values.
 * Wrap it in `.optional()` for partial updates.
 */
export function bodyField<T>(parse: (value: unknown) => Parsed<T>) {
  return z.unknown().transform((value, ctx): T => {
    const result: Parsed<T> =
      value === undefined
        ? { ok: false, error: "This field is required." }
        : value === null
          ? { ok: false, error: "This field may not be null." }
          : parse(value);
    if (!result.ok) {
      ctx.addIssue({ code: "custom", message: result.error });
      return z.NEVER;
    }
    return result.value;
  });
}

/** DRF's IntegerField: a JSON integer or a string of digits, within [min, max]. */
export const parseInteger =
  (min: number, max: number) =>
  (value: unknown): Parsed<number> => {
    const n = typeof value === "number" ? value : typeof value === "string" && /^\s*-?\d{1,15}\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n)) return { ok: false, error: "A valid integer is required." };
    if (n < min) return { ok: false, error: `Ensure this value is greater than or equal to ${min}.` };
    if (n > max) return { ok: false, error: `Ensure this value is less than or equal to ${max}.` };
    return { ok: true, value: n };
  };

/** DRF's CharField: a string, trimmed, at most `max` characters, blank only when allowed. */
export const parseText =
  (max: number, allowBlank = false) =>
  (value: unknown): Parsed<string> => {
    if (typeof value !== "string") return { ok: false, error: "Not a valid string." };
    const text = value.trim();
    if (!text && !allowBlank) return { ok: false, error: "This field may not be blank." };
    if (text.length > max) return { ok: false, error: `Ensure this field has no more than ${max} characters.` };
    return { ok: true, value: text };
  };

/** Python's name for a JSON value's type, as DRF's messages show it. */
export const pythonType = (value: unknown): string =>
  Array.isArray(value)
    ? "list"
    : typeof value === "string"
      ? "str"
      : typeof value === "boolean"
        ? "bool"
        : typeof value === "number"
          ? Number.isInteger(value) ? "int" : "float"
          : "dict";

/**
 * DRF's PrimaryKeyRelatedField, shape only: whether the object exists is the caller's query.
 * An id beyond int4 can exist nowhere, so it is reported as missing without asking Postgres.
 */
export function parsePk(value: unknown): Parsed<number> {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\s*-?\d{1,15}\s*$/.test(value) ? Number(value) : NaN;
  if (typeof value === "boolean" || !Number.isInteger(n)) {
    return { ok: false, error: `Incorrect type. Expected pk value, received ${pythonType(value)}.` };
  }
  if (n < 1 || n > INT4_MAX) return { ok: false, error: missingPk(n) };
  return { ok: true, value: n };
}

export const missingPk = (pk: number) => `Invalid pk "${pk}" - object does not exist.`;

/** A price in a body: JSON number or numeric string, numeric(10,2), greater than zero. */
export const moneyField = () => bodyField(parseMoney);

/** A decimal in a query string (`min_price`): numeric(10,2), any sign. */
export const decimalQuery = () =>
  z.string().transform((value, ctx) => {
    const result = parseDecimal(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: "custom", message: result.error });
    return z.NEVER;
  });

/** A query parameter where an empty value means "not given", as django-filter treats it. */
export const optionalQuery = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

/** A path id matched by `{[0-9]+}`; one beyond int4 names nothing, so it is a 404 that never reaches Postgres. */
export function pathId(raw: string | undefined): number {
  const id = Number(raw);
  if (!raw || !/^\d{1,10}$/.test(raw) || id < 1 || id > INT4_MAX) throw notFound();
  return id;
}
