import { and, ilike, or, type SQL, sql } from "drizzle-orm";
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

/** A shopper's search as full-text and trigram matching read it. */
export interface SearchTerms {
  /** As typed (trimmed), for `websearch_to_tsquery`: quotes, `-word` and `or` keep their meaning. */
  text: string;
  /** Whether the last word is matched as a prefix (search-as-you-type). */
  prefix: boolean;
  /** What a trigram match compares names with: the text without exclusions, `or` and quotes ("" for none). */
  positive: string;
  /**
   * Those words joined by `or`, for ranking: ts_rank over the query itself weighs an excluded word
   * as if wanted (`keyboard -cover` ranked every hit near zero), so hits are ranked by how much of
   * what was asked for they hold, and where.
   */
  anyWord: string;
  /** The excluded words and phrases as websearch text joined by `or` ("" for none), kept out of trigram matches too. */
  excluded: string;
}

// websearch_to_tsquery's pieces: an optional `-`, then a quoted phrase (closed or not) or a word.
const TOKEN = /(-?)(?:"([^"]*)"?|(\S+))/g;
/** The end of the text is a word of two letters or more: shorter prefixes would match most of a catalog. */
const WORD_END = /[\p{L}\p{N}]{2,}$/u;

/**
 * Reads a search as websearch_to_tsquery does, for what Postgres's parser cannot tell us: whether
 * the last word is still being typed (it ends the text, is neither excluded nor `or`), and the
 * words a fuzzy match should look for and keep out.
 */
export function parseSearch(search: string): SearchTerms {
  const text = search.trim();
  const positive: string[] = [];
  const excluded: string[] = [];
  let last = { negated: false, operator: false };
  for (const [, minus, phrase, word] of text.matchAll(TOKEN)) {
    const negated = minus === "-";
    const operator = !negated && word?.toLowerCase() === "or";
    if (negated) excluded.push(phrase === undefined ? word! : `"${phrase}"`);
    else if (!operator) positive.push(phrase ?? word!);
    last = { negated, operator };
  }
  return {
    text,
    prefix: WORD_END.test(text) && !last.negated && !last.operator,
    positive: positive.join(" ").trim(),
    anyWord: positive.join(" ").split(/\s+/).filter(Boolean).join(" or "),
    excluded: excluded.join(" or "),
  };
}

/**
 * The tsquery of `terms` under text search configuration `config`. With a prefix, the last lexeme
 * of websearch_to_tsquery's answer gets `:*`: its text form ends with that lexeme's closing quote,
 * and Postgres parses it back (every function here is immutable, so a literal folds at planning).
 */
export function tsQuery(config: string, terms: Pick<SearchTerms, "text" | "prefix">): SQL {
  const query = sql`websearch_to_tsquery('${sql.raw(config)}', ${terms.text})`;
  return terms.prefix ? sql`regexp_replace(${query}::text, '''$', ''':*')::tsquery` : query;
}
