import type { Bindings, Config } from "./config";
import type { Db } from "./db/client";
import type { Cache } from "./lib/cache";

/** The caller, as authentication found them (middleware/auth.ts). */
export interface AuthUser {
  id: number;
  username: string;
  isStaff: boolean;
  /** Names the user's notification hub (`users.hub_key`). */
  hubKey: string;
  /** The login session (token family) the access token belongs to; absent in tokens issued before families were signed in. */
  family?: string;
}

/** A verified access token, before its user and session are confirmed (middleware/auth.ts). */
export interface Session {
  userId: number;
  family?: string;
  /** The route is for staff only. */
  staff: boolean;
  /** What the token says; undefined in tokens signed before they said. */
  claimsStaff?: boolean;
}

/** What Hono's context carries: the bindings, and what middleware sets per request. */
export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    config: Config;
    db: Db;
    cache: Cache;
    requestId: string;
    session: Session;
    user: AuthUser;
  };
};
