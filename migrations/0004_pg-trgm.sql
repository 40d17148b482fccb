-- Trigram matching for the catalog's typo-tolerant search (the trigram index on products.name,
-- made by the next migration). Neon ships pg_trgm; the embedded database (PGlite) loads it from
-- @electric-sql/pglite/contrib/pg_trgm (scripts/local/embedded-pg.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
