/**
 * The one spelling of a username that logins, rate limits and uniqueness compare: Unicode
 * compatibility-normalised (NFKC), then lower-cased by JavaScript's locale-independent rules.
 * It is computed here only, stored beside the username (`users.username_key`) and never
 * re-derived by Postgres, whose `lower()` depends on the database's locale (under C.UTF-8 it maps
 * the Turkish `İ` to `i`, JavaScript to `i̇`, so the two disagreed about who `rtvİctim1` is).
 */
export function usernameKey(username: string): string {
  return username.normalize("NFKC").toLowerCase();
}
