// The notification sockets (/ws/orders/notifications/, and /ws/admin/orders/ for staff) kept
// open: reconnect with exponential backoff and jitter, resume with ?since=<last seq seen> so
// nothing is missed across a drop, and a ping every so often, since a dead connection can look
// open for minutes. The token travels as the subprotocol pair ["bearer", token], never in a URL.

export type SocketState = "connecting" | "live" | "reconnecting" | "stopped";

/** An order event as the hubs send it (`seq` is per hub and only grows). */
export interface OrderEvent {
  type: "order_created" | "order_update";
  seq: number;
  order_id: number;
  status?: string;
  user_id?: number;
  [field: string]: unknown;
}

/** A staff feed message that is not an order event: a webhook endpoint the API disabled. */
export interface HubNotice {
  type: "webhook_disabled";
  seq: number;
  endpoint_id: number;
  url: string;
  message: string;
  at: string;
}

export interface SubscribeOptions {
  /** The socket's URL (`ws:`/`wss:`, or `http:`/`https:`, which is turned into the former). */
  url: string;
  /** A valid access token for each (re)connection; an ApiError with status 401 from it stops for good. */
  token: () => Promise<string>;
  onEvent: (event: OrderEvent) => void;
  /** Staff feed only: notices, numbered in the same `seq` as the events. */
  onNotice?: (notice: HubNotice) => void;
  onState?: (state: SocketState, retryIn?: number) => void;
  /** After a reconnection or a truncated replay: what is on screen should be read again. */
  onResync?: () => void;
  /** The last seq already seen (from a previous page, say): the first connection resumes after it. */
  since?: number | null;
  /** Told each new last seq, to keep it across reloads. */
  onSeq?: (seq: number) => void;
  WebSocket?: typeof WebSocket;
  pingEvery?: number;
  pongWithin?: number;
  maxDelay?: number;
}

export interface Subscription {
  stop(): void;
  /** Drops the socket and connects at once (the network came back, say). */
  reconnect(): void;
  readonly lastSeq: number | null;
}

/** Close codes after which connecting again cannot help: the server revoked this session's access. */
const FINAL = new Set([4403]);

export function subscribe(options: SubscribeOptions): Subscription {
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  const pingEvery = options.pingEvery ?? 25_000;
  const pongWithin = options.pongWithin ?? 10_000;
  const maxDelay = options.maxDelay ?? 30_000;
  let socket: WebSocket | null = null;
  let attempt = 0;
  /** Bumped by every connect(): one that finds it moved on (a reconnect() meanwhile) gives up. */
  let generation = 0;
  let everLive = false;
  let stopped = false;
  let lastSeq = options.since ?? null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;

  const clearTimers = () => {
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
  };
  const state = (s: SocketState, retryIn?: number) => options.onState?.(s, retryIn);

  async function connect() {
    clearTimers();
    if (stopped) return;
    const mine = ++generation;
    state(attempt === 0 && !everLive ? "connecting" : "reconnecting");
    let token: string;
    try {
      token = await options.token();
    } catch (error) {
      if (stopped || mine !== generation) return;
      if ((error as { status?: number }).status === 401) return stop();
      return schedule();
    }
    // Two sockets open at once would each deliver every event.
    if (stopped || mine !== generation) return;
    const url = new URL(options.url);
    url.protocol = url.protocol.replace(/^http/, "ws");
    if (lastSeq !== null) url.searchParams.set("since", String(lastSeq));
    const ws = new Socket(url.toString(), ["bearer", token]);
    socket = ws;
    ws.addEventListener("message", (message: MessageEvent) => {
      if (message.data === "pong") return clearTimeout(pongTimer);
      let msg: { type?: string; seq?: unknown };
      try {
        msg = JSON.parse(String(message.data));
      } catch {
        return;
      }
      if (msg.type === "connection_established") {
        const again = everLive;
        attempt = 0;
        everLive = true;
        state("live");
        pingTimer = setInterval(ping, pingEvery);
        if (again) options.onResync?.();
      } else if (msg.type === "replay_truncated") {
        options.onResync?.();
      } else if (msg.type === "order_created" || msg.type === "order_update" || msg.type === "webhook_disabled") {
        // Events and notices share the hub's seq, so `?since=` replays neither twice.
        if (typeof msg.seq === "number" && (lastSeq === null || msg.seq > lastSeq)) {
          lastSeq = msg.seq;
          options.onSeq?.(lastSeq);
        }
        if (msg.type === "webhook_disabled") options.onNotice?.(msg as HubNotice);
        else options.onEvent(msg as OrderEvent);
      }
    });
    ws.addEventListener("close", (event: CloseEvent) => {
      if (socket !== ws) return;
      socket = null;
      clearTimers();
      if (FINAL.has(event.code)) return stop();
      if (!stopped) schedule();
    });
  }

  function ping() {
    if (socket?.readyState !== Socket.OPEN) return;
    socket.send("ping");
    clearTimeout(pongTimer);
    pongTimer = setTimeout(() => {
      // A dead connection can take a minute to report its close: go on without waiting for it.
      const dead = socket;
      socket = null;
      clearTimers();
      dead?.close(4000, "no pong");
      schedule();
    }, pongWithin);
  }

  function schedule() {
    const delay = Math.round(Math.min(maxDelay, 1000 * 2 ** attempt) * (0.8 + Math.random() * 0.4));
    attempt += 1;
    state("reconnecting", delay);
    retryTimer = setTimeout(connect, delay);
  }

  function stop() {
    stopped = true;
    clearTimers();
    const ws = socket;
    socket = null;
    ws?.close(1000, "stopped");
    state("stopped");
  }

  void connect();
  return {
    stop,
    reconnect() {
      if (stopped) return;
      const ws = socket;
      socket = null;
      ws?.close(1000, "reconnect");
      attempt = 0;
      void connect();
    },
    get lastSeq() {
      return lastSeq;
    },
  };
}
