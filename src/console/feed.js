// @ts-check
// The staff WebSocket feed (/ws/admin/orders/): every user's order_created and order_update.
// Reconnects with exponential backoff and, once it has seen an event, asks for what it missed
// with ?since=<last seq>. The access token travels as the subprotocol pair ["bearer", token],
// so it never appears in a URL.

import { ApiError, accessToken } from "./api.js";

/** @import { FeedEvent, FeedMessage } from "./types.js" */

/** @typedef {{ state: "connecting" | "live" | "reconnecting" | "stopped", retryIn?: number }} FeedState */

const SEQ = "edge-shop.console.seq";
const PING_EVERY = 25_000;
const PONG_WITHIN = 10_000;
const MAX_DELAY = 30_000;

/**
 * startFeed({ onEvent(msg), onState({ state, retryIn }), onResync() }) → { stop, reconnect }.
 * `state` is "connecting", "live", "reconnecting" or "stopped". `onResync` runs after every
 * reconnection and after a truncated replay, so views can re-read what they show.
 * @param {{ onEvent: (msg: FeedEvent) => void, onState: (state: FeedState) => void, onResync: () => void }} handlers
 * @returns {{ stop: () => void, reconnect: () => void }}
 */
export function startFeed({ onEvent, onState, onResync }) {
  /** @type {WebSocket | null} */
  let socket = null;
  let attempt = 0;
  /** @type {number | undefined} */
  let retryTimer;
  /** @type {number | undefined} */
  let pingTimer;
  /** @type {number | undefined} */
  let pongTimer;
  let stopped = false;
  let everLive = false;
  let lastSeq = Number(sessionStorage.getItem(SEQ)) || null;

  const clearTimers = () => {
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
  };

  async function connect() {
    clearTimers();
    if (stopped) return;
    onState({ state: attempt === 0 && !everLive ? "connecting" : "reconnecting" });
    let token;
    try {
      token = await accessToken();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return stop();
      return schedule();
    }
    if (stopped) return;
    const url = new URL("/ws/admin/orders/", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    if (lastSeq !== null) url.searchParams.set("since", String(lastSeq));
    const ws = new WebSocket(url, ["bearer", token]);
    socket = ws;
    ws.addEventListener("message", (event) => {
      if (event.data === "pong") return clearTimeout(pongTimer);
      /** @type {FeedMessage} */
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (msg.type === "connection_established") {
        const again = everLive;
        attempt = 0;
        everLive = true;
        onState({ state: "live" });
        pingTimer = setInterval(ping, PING_EVERY);
        if (again) onResync();
      } else if (msg.type === "replay_truncated") {
        onResync();
      } else if (msg.type === "order_created" || msg.type === "order_update") {
        if (typeof msg.seq === "number" && (lastSeq === null || msg.seq > lastSeq)) {
          lastSeq = msg.seq;
          sessionStorage.setItem(SEQ, String(lastSeq));
        }
        onEvent(msg);
      }
    });
    ws.addEventListener("close", () => {
      if (socket !== ws) return;
      socket = null;
      clearTimers();
      if (!stopped) schedule();
    });
  }

  /** A socket that stops answering "ping" is dead even if the browser has not noticed. */
  function ping() {
    if (socket?.readyState !== WebSocket.OPEN) return;
    socket.send("ping");
    clearTimeout(pongTimer);
    pongTimer = setTimeout(() => socket?.close(4000, "no pong"), PONG_WITHIN);
  }

  function schedule() {
    const base = Math.min(MAX_DELAY, 1000 * 2 ** attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    attempt += 1;
    onState({ state: "reconnecting", retryIn: delay });
    retryTimer = setTimeout(connect, delay);
  }

  function stop() {
    stopped = true;
    clearTimers();
    const ws = socket;
    socket = null;
    ws?.close(1000, "signed out");
    onState({ state: "stopped" });
  }

  /** Drops the current socket (if any) and connects now, e.g. when the browser comes back online. */
  function reconnect() {
    if (stopped) return;
    const ws = socket;
    socket = null;
    ws?.close(1000, "reconnect");
    attempt = 0;
    connect();
  }

  const online = () => reconnect();
  window.addEventListener("online", online);
  connect();
  return {
    stop() {
      window.removeEventListener("online", online);
      stop();
    },
    reconnect,
  };
}

/** Forgets the last seen seq (at sign-out), so the next staff member starts fresh. */
export const forgetFeedPosition = () => sessionStorage.removeItem(SEQ);
