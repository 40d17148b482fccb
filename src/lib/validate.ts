import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import { uniqueSymbol } from "hono-openapi";
import * as z from "zod";
import { requestSchema } from "../openapi/describe";
import { type FieldErrors, validationError } from "./errors";

const kind = (value: unknown) => (Array.isArray(value) ? "list" : value === null ? "null" : typeof value);

/** DRF's wording for zod's issue codes; a message given in a schema wins over these. */
z.config({
  customError: (issue) => {
    switch (issue.code) {
      case "invalid_type":
        if (issue.input === undefined) return "This field is required.";
        if (issue.input === null) return "This field may not be null.";
        if (issue.expected === "object") return `Invalid data. Expected a dictionary, but got ${kind(issue.input)}.`;
        if (issue.expected === "int") return "A valid integer is required.";
        if (issue.expected === "number") return "A valid number is required.";
        if (issue.expected === "boolean") return "Must be a valid boolean.";
        if (issue.expected === "string") return "Not a valid string.";
        return undefined;
      case "too_small":
        if (issue.origin === "string" && issue.minimum === 1) return "This field may not be blank.";
        if (issue.origin === "string") return `Ensure this field has at least ${issue.minimum} characters.`;
        return `Ensure this value is greater than or equal to ${issue.minimum}.`;
      case "too_big":
        if (issue.origin === "string") return `Ensure this field has no more than ${issue.maximum} characters.`;
        return `Ensure this value is less than or equal to ${issue.maximum}.`;
      case "invalid_value":
        return `"${String(issue.input)}" is not a valid choice.`;
      case "invalid_format":
        if (issue.format === "email") return "Enter a valid email address.";
        return undefined;
      default:
        return undefined;
    }
  },
});

/** Turns zod issues into DRF's `{"field": ["message"]}`; root-level issues go to `non_field_errors`. */
export function toFieldErrors(error: { issues: readonly z.core.$ZodIssue[] }): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.map(String).join(".") : "non_field_errors";
    errors[field] = [...(errors[field] ?? []), issue.message];
  }
  return errors;
}

/**
 * DRF's CharField refuses NUL characters, and Postgres text cannot hold them (a query with one
 * fails): every string field that passed its schema is checked.
 */
function nullCharacterErrors(data: unknown): FieldErrors | null {
  if (!data || typeof data !== "object") return null;
  const fields = Object.entries(data).filter(([, value]) => typeof value === "string" && value.includes("\u0000"));
  return fields.length
    ? Object.fromEntries(fields.map(([field]) => [field, ["Null characters are not allowed."]]))
    : null;
}

/**
 * `zValidator` with the contract's 400 shape. The schema it validates with also describes the
 * route's body or query parameters in the OpenAPI document (hono-openapi reads it off the middleware).
 */
export const validate = <T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  Object.assign(
    zValidator(target, schema, (result) => {
      if (!result.success) throw validationError(toFieldErrors(result.error));
      const nul = nullCharacterErrors(result.data);
      if (nul) throw validationError(nul);
    }),
    { [uniqueSymbol]: { target, ...requestSchema(schema) } },
  );
