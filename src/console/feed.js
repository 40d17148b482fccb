// @ts-check
// The staff WebSocket feed (/ws/admin/orders/): every user's order_created and order_update, and
// notices of webhook endpoints the API disabled,
// through @edge-shop/client's socket: exponential backoff, a ping to find dead connections, and
// ?since=<last seq> (kept in sessionStorage across reloads) so nothing is missed. The access
// token travels as the subprotocol pair ["bearer", token], so it never appears in a URL.

import { accessToken } from "./api.js";
import { subscribe } from "./client.js";

/** @import { FeedEvent, WebhookDisabled } from "./types.js" */

/** @typedef {{ state: "connecting" | "live" | "reconnecting" | "stopped", retryIn?: number }} FeedState */

const SEQ = "edge-shop.console.seq";

/**
 * startFeed({ onEvent(msg), onNotice(msg), onState({ state, retryIn }), onResync() }) → { stop, reconnect }.
 * `state` is "connecting", "live", "reconnecting" or "stopped". `onResync` runs after every
 * reconnection and after a truncated replay, so views can re-read what they show. `onNotice`
 * gets the feed's frames that are not order events (an endpoint the API disabled).
 * @param {{ onEvent: (msg: FeedEvent) => void, onNotice: (msg: WebhookDisabled) => void, onState: (state: FeedState) => void, onResync: () => void }} handlers
 * @returns {{ stop: () => void, reconnect: () => void }}
 */
export function startFeed({ onEvent, onNotice, onState, onResync }) {
  const feed = subscribe({
    url: new URL("/ws/admin/orders/", location.href).toString(),
    token: accessToken,
    since: Number(sessionStorage.getItem(SEQ)) || null,
    onSeq: (seq) => sessionStorage.setItem(SEQ, String(seq)),
    onEvent: (event) => onEvent(/** @type {FeedEvent} */ (/** @type {unknown} */ (event))),
    onState: (state, retryIn) => onState({ state, retryIn }),
    onResync,
    onNotice: (notice) => onNotice(notice),
  });
  const online = () => feed.reconnect();
  window.addEventListener("online", online);
  return {
    stop() {
      window.removeEventListener("online", online);
      feed.stop();
    },
    reconnect: () => feed.reconnect(),
  };
}

/** Forgets the last seen seq (at sign-out), so the next staff member starts fresh. */
export const forgetFeedPosition = () => sessionStorage.removeItem(SEQ);
