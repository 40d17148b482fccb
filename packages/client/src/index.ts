// @edge-shop/client: what a storefront or a console needs to talk to the API. `createShopClient`
// gives hono/client's typed routes (`hc<AppType>`) over a session that keeps the tokens fresh,
// and the notification sockets with reconnect and resume. The route types come from the server
// itself (`AppType`, exported by src/app.ts), so client and API cannot drift.
import type { Hono } from "hono";
import { hc } from "hono/client";
import { createSession, type Session, type SessionOptions } from "./session.ts";
import { type SubscribeOptions, type Subscription, subscribe } from "./socket.ts";

export { ApiError, type FieldErrors } from "./errors.ts";
export {
  createSession,
  type LoginResult,
  memoryStore,
  type Session,
  type SessionOptions,
  secondsLeft,
  type TokenStore,
  type Tokens,
  webStore,
} from "./session.ts";
export {
  type HubNotice,
  type OrderEvent,
  type SocketState,
  type SubscribeOptions,
  type Subscription,
  subscribe,
} from "./socket.ts";

/**
 * The API's URLs end with a slash (DRF's); hc writes a route's path as the app declares it, so a
 * slash is added to every path that lacks one.
 */
const slashed = (url: string) => {
  const u = new URL(url);
  if (!u.pathname.endsWith("/")) u.pathname += "/";
  return u.toString();
};

export type SocketHandlers = Omit<SubscribeOptions, "url" | "token">;

// biome-ignore lint/suspicious/noExplicitAny: hono/client's own bound for an app type
type AnyApp = Hono<any, any, any>;

export interface ShopClient<App extends AnyApp> {
  /** Every route, typed: `api.api.products.$get({ query: { search: "lamp" } })`. */
  api: ReturnType<typeof hc<App>>;
  session: Session;
  /** The signed-in user's order events. */
  notifications(handlers: SocketHandlers): Subscription;
  /** Every user's order events (staff only). */
  staffFeed(handlers: SocketHandlers): Subscription;
}

export function createShopClient<App extends AnyApp>(options: SessionOptions): ShopClient<App> {
  const session: Session = createSession(options);
  const fetch: typeof globalThis.fetch = (input, init) =>
    session.fetch(slashed(input instanceof Request ? input.url : String(input)), init);
  const socket = (path: string, handlers: SocketHandlers): Subscription =>
    subscribe({ ...handlers, url: new URL(path, options.baseUrl).toString(), token: session.accessToken });
  return {
    api: hc<App>(options.baseUrl, { fetch }),
    session,
    notifications: (handlers) => socket("/ws/orders/notifications/", handlers),
    staffFeed: (handlers) => socket("/ws/admin/orders/", handlers),
  };
}
