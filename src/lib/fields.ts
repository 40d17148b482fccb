import * as z from "zod";
import { notFound } from "./errors";
import { parseDecimal, parseMoney } from "./money";

/** Postgres `integer` bounds: ids and counts beyond them must be refused before they reach SQL. */
export const INT4_MAX = 2_147_483_647;

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * What a parser accepts, as JSON Schema. `z.toJSONSchema` cannot see through a transform, so
 * `bodyField` attaches this for the OpenAPI document (src/openapi).
 */
type InputSchema = Record<string, unknown>;
type Parser<T> = ((value: unknown) => Parsed<T>) & { input?: InputSchema };

const describeInput = <P extends (value: unknown) => unknown>(parse: P, input: InputSchema) =>
  Object.assign(parse, { input });

/** DRF accepts a number or a string of digits wherever it wants an integer. */
const integerInput = (minimum: number, maximum: number): InputSchema => ({
  type: ["integer", "string"],
  minimum,
  maximum,
  pattern: "^\\s*-?\\d+\\s*$",
});

/**
 * A JSON body field read by a plain parser, with DRF's wording for missing and null values.
 * Wrap it in `.optional()` for partial updates.
 */
export function bodyField<T>(parse: Parser<T>) {
  const field = z.unknown().transform((value, ctx): T => {
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
  return parse.input ? field.meta(parse.input) : field;
}

/** A number as given, or a string of up to 15 digits as DRF reads one; anything else NaN. */
const integerOf = (value: unknown): number =>
  typeof value === "number"
    ? value
    : typeof value === "string" && /^\s*-?\d{1,15}\s*$/.test(value)
      ? Number(value)
      : NaN;

/** DRF's IntegerField: a JSON integer or a string of digits, within [min, max]. */
export const parseInteger = (min: number, max: number) =>
  describeInput(
    (value: unknown): Parsed<number> => {
      const n = integerOf(value);
      if (!Number.isInteger(n)) return { ok: false, error: "A valid integer is required." };
      if (n < min) return { ok: false, error: `Ensure this value is greater than or equal to ${min}.` };
      if (n > max) return { ok: false, error: `Ensure this value is less than or equal to ${max}.` };
      return { ok: true, value: n };
    },
    integerInput(min, max),
  );

/** DRF's CharField: a string, trimmed, at most `max` characters, blank only when allowed. */
export const parseText = (max: number, allowBlank = false) =>
  describeInput(
    (value: unknown): Parsed<string> => {
      if (typeof value !== "string") return { ok: false, error: "Not a valid string." };
      const text = value.trim();
      if (!text && !allowBlank) return { ok: false, error: "This field may not be blank." };
      if (text.length > max) return { ok: false, error: `Ensure this field has no more than ${max} characters.` };
      return { ok: true, value: text };
    },
    {
      type: "string",
      ...(allowBlank ? {} : { minLength: 1 }),
      ...(max < Number.MAX_SAFE_INTEGER ? { maxLength: max } : {}),
    },
  );

const TRUE = new Set<unknown>([true, 1, "true", "True", "TRUE", "1", "yes", "on"]);
const FALSE = new Set<unknown>([false, 0, "false", "False", "FALSE", "0", "no", "off"]);

/** DRF's BooleanField: JSON booleans, and the numbers and words it reads as them. */
export const parseBoolean = describeInput(
  (value: unknown): Parsed<boolean> =>
    TRUE.has(value)
      ? { ok: true, value: true }
      : FALSE.has(value)
        ? { ok: true, value: false }
        : { ok: false, error: "Must be a valid boolean." },
  { type: ["boolean", "string", "integer"] },
);

/** DRF's MultipleChoiceField over `choices`: a non-empty list, each value once. */
export const parseChoices = <T extends string>(choices: readonly T[]) =>
  describeInput(
    (value: unknown): Parsed<T[]> => {
      if (!Array.isArray(value))
        return { ok: false, error: `Expected a list of items but got type "${pythonType(value)}".` };
      if (value.length === 0) return { ok: false, error: "This selection may not be empty." };
      const bad = value.find((v) => !choices.includes(v as T));
      if (bad !== undefined) return { ok: false, error: `"${String(bad)}" is not a valid choice.` };
      return { ok: true, value: [...new Set(value as T[])] };
    },
    { type: "array", items: { type: "string", enum: [...choices] }, minItems: 1 },
  );

/** Python's name for a JSON value's type, as DRF's messages show it. */
export const pythonType = (value: unknown): string =>
  Array.isArray(value)
    ? "list"
    : typeof value === "string"
      ? "str"
      : typeof value === "boolean"
        ? "bool"
        : typeof value === "number"
          ? Number.isInteger(value)
            ? "int"
            : "float"
          : "dict";

/**
 * DRF's PrimaryKeyRelatedField, shape only: whether the object exists is the caller's query.
 * An id beyond int4 can exist nowhere, so it is reported as missing without asking Postgres.
 */
export const parsePk = describeInput(
  function parsePk(value: unknown): Parsed<number> {
    const n = integerOf(value);
    if (typeof value === "boolean" || !Number.isInteger(n)) {
      return { ok: false, error: `Incorrect type. Expected pk value, received ${pythonType(value)}.` };
    }
    if (n < 1 || n > INT4_MAX) return { ok: false, error: missingPk(n) };
    return { ok: true, value: n };
  },
  integerInput(1, INT4_MAX),
);

export const missingPk = (pk: number) => `Invalid pk "${pk}" - object does not exist.`;

/** django-filter's words for a filter value naming nothing (an unknown category or user id). */
export const INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices.";

/** A price in a body: JSON number or numeric string, numeric(10,2), greater than zero. */
export const moneyField = () =>
  bodyField(
    describeInput((value: unknown) => parseMoney(value), {
      type: ["string", "number"],
      pattern: "^\\s*\\d{0,8}(\\.\\d{0,2})?\\s*$",
      exclusiveMinimum: 0,
      description: 'A decimal such as "19.99" (a JSON number is accepted too).',
    }),
  );

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

/**
 * The `/:id` segment of a route: digits only, so `low_stock`, `categories` and `cart` are never
 * read as ids. Read it with `pathId`.
 */
export const ID = "/:id{[0-9]+}";

/** A path id matched by `{[0-9]+}`; one beyond int4 names nothing, so it is a 404 that never reaches Postgres. */
export function pathId(raw: string | undefined): number {
  const id = Number(raw);
  if (!raw || !/^\d{1,10}$/.test(raw) || id < 1 || id > INT4_MAX) throw notFound();
  return id;
}
