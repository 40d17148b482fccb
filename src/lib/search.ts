import { and, ilike, or, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

const escapeLike = (term: string) => term.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * DRF's SearchFilter over `columns`: every whitespace-separated term (at most 10) must appear in
 * one of them, case-insensitively; `%` and `_` match literally. Undefined when there is no term.
 */
export function searchAll(search: string | undefined, columns: PgColumn[]): SQL | undefined {
  const terms = (search ?? "").split(/\s+/).filter(Boolean).slice(0, 10);
  if (!terms.length) return undefined;
  return and(...terms.map((term) => or(...columns.map((column) => ilike(column, `%${escapeLike(term)}%`)))));
}
