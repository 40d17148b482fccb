import * as z from "zod";
import type { Db } from "../../db/client";

/** Postgres `integer` bounds: ids and quantities beyond them cannot exist, so they never reach SQL. */
export const INT4_MAX = 2147483647;

/** The statements a service needs; both the request's `db` and a transaction's `tx` provide them. */
export type Sql = Pick<Db, "execute" | "select">;

// Only the type issue is worded here; range issues fall through to the shared DRF messages.
const integerMessage = (iss: { code?: string; input?: unknown }) => {
  if (iss.code !== "invalid_type") return undefined;
  return iss.input === undefined ? "This field is required." : "A valid integer is required.";
};

/** DRF's IntegerField: a JSON number or a numeric string, whole, never a float or a boolean. */
export const integer = (min?: number, max?: number) => {
  let int = z.int({ error: integerMessage });
  if (min !== undefined) int = int.min(min);
  if (max !== undefined) int = int.max(max);
  return z.preprocess((v) => (typeof v === "string" && /^\s*-?\d{1,16}\s*$/.test(v) ? Number(v) : v), int);
};

/** A path or query id: digits only, within int4; anything else is treated as "no such row". */
export function parseId(raw: string | undefined): number | null {
  if (!raw || !/^\d{1,10}$/.test(raw)) return null;
  const id = Number(raw);
  return id >= 1 && id <= INT4_MAX ? id : null;
}
