import { type SQL, sql } from "drizzle-orm";

/*
 * The listeners (events.ts) of a hub, as a JSON scalar subquery, so the statement that writes
 * an event also says who may hear it, with no round trip of its own.
 */

/** A session is live until revoked, or until its refresh token expired unused. */
const live = (refreshTtl: number) =>
  sql`f.revoked_at IS NULL AND coalesce(f.rotated_at, f.created_at) > now() - make_interval(secs => ${refreshTtl}::int)`;

/** One user's hub: that user while active, and their live sessions. */
export const ownerListeners = (userId: SQL, refreshTtl: number) => sql`(
  SELECT json_build_object(
    'users', CASE WHEN u.is_active THEN json_build_array(u.id) ELSE '[]'::json END,
    'sessions', COALESCE((SELECT json_agg(f.id) FROM token_families f WHERE f.user_id = u.id AND ${live(refreshTtl)}), '[]'::json))
  FROM users u WHERE u.id = ${userId})`;

/** The staff feed: active staff, and their live sessions. */
export const staffListeners = (refreshTtl: number) => sql`(
  SELECT json_build_object(
    'users', COALESCE((SELECT json_agg(s.id) FROM users s WHERE s.is_staff AND s.is_active), '[]'::json),
    'sessions', COALESCE((SELECT json_agg(f.id) FROM token_families f JOIN users s ON s.id = f.user_id
                          WHERE s.is_staff AND s.is_active AND ${live(refreshTtl)}), '[]'::json)))`;

/** The owner's hub key. */
export const ownerHubKey = (userId: SQL) => sql`(SELECT u.hub_key FROM users u WHERE u.id = ${userId})`;
