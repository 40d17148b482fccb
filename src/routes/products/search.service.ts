import { and, type SQL, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import type { Db } from "../../db/client";
import { products, SEARCH_CONFIG } from "../../db/schema";
import { type SearchTerms, tsQuery } from "../../lib/search";
import { productOwnColumns } from "./products.serialize";

/*
 * Catalog search in one statement: full-text hits (`fulltext`), and only when they are fewer
 * than FUZZY_BELOW, names similar to the words typed (`trigram`, pg_trgm), so a misspelt word
 * still finds its product. The fallback is decided inside the statement: the trigram scan sits
 * behind a one-time filter on the count of full-text hits, so it never runs when they suffice.
 * Both are CTEs referenced twice, hence materialized: every match is read once, from its GIN
 * index, and the page, the count and the facets are computed from that set.
 */

/**
 * Full-text hits below this: the trigram fallback runs. One, i.e. "found nothing": with a single
 * hit, the fallback already adds noise ("keyboard" would bring "Bamboo Cutting Board", "chess"
 * "Chef's Knife", both above the similarity below), while a typo ("keybaord") finds no full-text hit.
 */
export const FUZZY_BELOW = 1;

/**
 * pg_trgm's word similarity a name needs to be a fuzzy match. Its default, 0.6, misses one swapped
 * pair of letters in an eight-letter word ("keybaord" / "Keyboard": 0.44).
 */
const FUZZY_SIMILARITY = "0.4";

export type SearchMode = "fulltext" | "fuzzy";

/**
 * The statement setting FUZZY_SIMILARITY for the rest of the batch (transaction-local), which the
 * trigram index reads: send it before the search in the same batch, so it costs no round trip.
 */
export const fuzzySimilarity = (db: Db) =>
  db.execute(sql`select set_config('pg_trgm.word_similarity_threshold', ${FUZZY_SIMILARITY}, true)`);

/**
 * The visible products matching `terms` under `where`, as CTEs for `db.with(...ctes)`: `found`
 * holds each match with its `score` (ts_rank of the words asked for when `ranked`, else 0; word
 * similarity for a fuzzy match) and `tier` (0 full-text, 1 fuzzy); `fuzzy` says whether the fallback decided the answer.
 */
export function matchedProducts(db: Db, where: SQL, terms: SearchTerms, ranked: boolean) {
  // A match carries the product's own columns, so nothing joins back to `products` (whose size
  // the planner would then weigh).
  const query = tsQuery(SEARCH_CONFIG, terms);
  const wanted = tsQuery(SEARCH_CONFIG, { text: terms.anyWord, prefix: terms.prefix });
  const fulltext = db.$with("fulltext").as(
    db
      .select({
        ...productOwnColumns,
        score: (ranked ? sql<number>`ts_rank(${products.searchVector}, ${wanted})` : sql<number>`0`).as("score"),
        tier: sql<number>`0`.as("tier"),
      })
      .from(products)
      .where(and(where, sql`${products.searchVector} @@ ${query}`)),
  );
  const fuzzy = sql<boolean>`(select count(*) from ${fulltext}) < ${sql.raw(String(FUZZY_BELOW))}`;
  const similar = terms.positive
    ? and(
        sql`${terms.positive} <% ${products.name}`,
        terms.excluded
          ? sql`not ${products.searchVector} @@ websearch_to_tsquery('${sql.raw(SEARCH_CONFIG)}', ${terms.excluded})`
          : undefined,
      )
    : sql`false`;
  const trigram = db.$with("trigram").as(
    db
      .select({
        ...productOwnColumns,
        score: sql<number>`word_similarity(${terms.positive}, ${products.name})`.as("score"),
        tier: sql<number>`1`.as("tier"),
      })
      .from(products)
      .where(and(fuzzy, where, similar)),
  );
  const found = db.$with("found").as(unionAll(db.select().from(fulltext), db.select().from(trigram)));
  return { ctes: [fulltext, trigram, found] as const, found, fuzzy };
}
