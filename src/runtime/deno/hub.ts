// The per-user hub (src/realtime/user-hub.ts) on Deno: the same contract over Deno KV. A hub's
// events, their seq and its listeners live in KV; its sockets live in whichever process accepted
// them. A process hears another's writes by polling the heads of the hubs it holds sockets for
// (a local KV file tells no other process of a write; on Deno Deploy the same reads see every
// isolate's), and its own at once.
import * as z from "zod";
import { log } from "../../lib/log";
import {
  ACCESS_REVOKED,
  eventMessage,
  type HubConnect,
  type HubEvent,
  hubConnect,
  hubEventSchema,
  type Listeners,
  listenersSchema,
  MAX_CLIENT_MESSAGE,
  RETAINED_EVENTS,
  type StaffNotice,
  staffNoticeSchema,
} from "../../realtime/events";
import { COUNT_LEASE_MS, EMPTY, type Head, HubStore } from "./hub-store";

/** How often a process looks for other processes' writes to the hubs it holds sockets for. */
export const POLL_MS = 100;

interface Subscriber {
  ws: WebSocket;
  userId: number;
  family?: string;
  /** The last seq this socket was sent. */
  cursor: number;
}

const encoder = new TextEncoder();

function closeSocket(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closing, or not open yet.
  }
}

const closeRevoked = (ws: WebSocket) => closeSocket(ws, ACCESS_REVOKED, "access revoked");

/** One hub's sockets in this process, and what they have been told. */
class LocalHub {
  readonly sockets = new Set<Subscriber>();
  lv = -1;
  rv = -1;
  version: string | null = null;
  /** Syncs one at a time, so no socket is sent an event twice or out of order. */
  chain: Promise<unknown> = Promise.resolve();
  /** Sockets upgraded or upgrading, not joined yet: they count against the cap, and keep the hub here. */
  joining = 0;
}

/** Work started from a timer or a socket event: logged, tried again later (an unhandled rejection would end the process). */
const logFailure = (what: string) => (error: unknown) => log("error", `${what} failed`, { error: String(error) });

/**
 * Every hub of one KV database, as `env.USER_HUB`: `get(idFromName(name))` gives the stub the
 * Worker's code calls (`fetch` to upgrade, `deliver`, `announce`, `revoke`).
 */
export class KvHubs {
  private readonly local = new Map<string, LocalHub>();
  /** Every socket of this process, joined or not: shutdown closes them all. */
  private readonly open = new Set<WebSocket>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private leased = Date.now();
  private polling = false;
  private readonly data: HubStore;

  constructor(
    kv: Deno.Kv,
    /** The request being served: `Deno.upgradeWebSocket` needs the original, not a copy. */
    private readonly original: () => Request | undefined,
  ) {
    this.data = new HubStore(kv, crypto.randomUUID());
  }

  idFromName(name: string): string {
    return name;
  }

  get(name: string) {
    return {
      fetch: (request: Request) => this.connect(name, request),
      deliver: (audience: "user" | "staff", events: HubEvent[], allowed: Listeners) =>
        this.deliver(name, audience, events, allowed),
      announce: (key: string, notice: StaffNotice, allowed: Listeners) => this.announce(name, key, notice, allowed),
      revoke: (families: string[]) => this.revoke(name, families),
    };
  }

  /** Stops polling, closes this process's sockets and takes them off the hubs' counts (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const names = [...this.local.keys()];
    for (const ws of this.open) closeSocket(ws, 1001, "going away");
    this.local.clear();
    await Promise.all(names.map((name) => this.data.writeCount(name, 0)));
  }

  private async connect(name: string, request: Request): Promise<Response> {
    const who = hubConnect(request.headers);
    const original = this.original();
    if (!who || !original) return new Response("bad hub request", { status: 400 });
    // Counted against the cap from now until it joins or closes: simultaneous upgrades see each other.
    const hub = this.hub(name);
    if (hub.sockets.size + hub.joining >= who.maxSockets) {
      this.release(name, hub);
      return tooMany();
    }
    hub.joining += 1;
    let counted = true;
    const joined = () => {
      if (!counted) return;
      counted = false;
      hub.joining -= 1;
      this.release(name, hub);
    };
    try {
      return await this.upgrade(name, hub, who, original, joined);
    } catch (error) {
      joined();
      throw error;
    }
  }

  /** The socket's upgrade, once it holds a place under the cap (`joined` gives the place back). */
  private async upgrade(
    name: string,
    hub: LocalHub,
    who: HubConnect,
    original: Request,
    joined: () => void,
  ): Promise<Response> {
    // The socket hears every event after this read, even one stored before its join below runs.
    const [others, at] = await Promise.all([this.data.otherSockets(name), this.data.head(name)]);
    if (others + hub.sockets.size + hub.joining > who.maxSockets) {
      joined();
      return tooMany();
    }
    const { socket, response } = Deno.upgradeWebSocket(original);
    this.open.add(socket);
    // Chosen here, not through `{ protocol }`: Deno 2.9 splits the offered list on ", " only, so a
    // client sending "bearer,<token>" (the ws package does) would be refused.
    if (who.bearer) response.headers.set("sec-websocket-protocol", "bearer");
    socket.binaryType = "arraybuffer";
    const subscriber: Subscriber = { ws: socket, userId: who.userId, family: who.family, cursor: 0 };
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: "connection_established", message: "Connected to order notifications" }));
      this.serial(hub, () => this.join(name, hub, subscriber, at, who.since, joined).finally(joined)).catch(
        logFailure("hub join"),
      );
    };
    socket.onmessage = (e) => answer(socket, e.data);
    socket.onclose = () => {
      this.open.delete(socket);
      // After close() the hub is no longer this process's: its count is gone already.
      if (hub.sockets.delete(subscriber) && this.local.get(name) === hub) {
        this.data.writeCount(name, hub.sockets.size).catch(logFailure("hub socket count"));
      }
      joined();
      this.release(name, hub);
    };
    return response;
  }

  /** A new socket: replayed from `since` (or from its upgrade, `at`), then live. */
  private async join(
    name: string,
    hub: LocalHub,
    s: Subscriber,
    at: Deno.KvEntryMaybe<Head>,
    since: number | undefined,
    /** Called as the socket moves from joining to joined, so the cap never counts it twice. */
    joined: () => void,
  ): Promise<void> {
    const head = at.value ?? EMPTY;
    if (s.family && head.revoked.includes(s.family)) {
      closeRevoked(s.ws);
      return;
    }
    if (hub.sockets.size === 0) {
      // The first socket here: the route authorized it just before `at` was read.
      hub.lv = head.lv;
      hub.rv = head.rv;
      hub.version = at.versionstamp;
    }
    s.cursor = head.seq;
    if (since !== undefined) {
      const oldest = head.seq === 0 ? null : Math.max(1, head.seq - RETAINED_EVENTS + 1);
      if (oldest !== null && since < oldest - 1) {
        s.ws.send(
          JSON.stringify({
            type: "replay_truncated",
            oldest_seq: oldest,
            message: `Events before seq ${oldest} are no longer kept`,
          }),
        );
      }
      for (const [, body] of await this.data.events(name, since, head.seq)) s.ws.send(body);
    }
    if (s.ws.readyState !== WebSocket.OPEN) return;
    hub.sockets.add(s);
    joined();
    this.local.set(name, hub);
    // What was stored since `at`, and any change of listeners, before anything newer.
    await this.sync(name, hub);
    // Not awaited: a burst of joins must not wait on one write each.
    this.data.writeCount(name, hub.sockets.size).catch(logFailure("hub socket count"));
    this.timer ??= setInterval(() => void this.poll(), POLL_MS);
  }

  /** A hub with no socket here left, and none about to join, stops being polled. */
  private release(name: string, hub: LocalHub): void {
    if (hub.sockets.size === 0 && hub.joining === 0 && this.local.get(name) === hub) this.local.delete(name);
  }

  private hub(name: string): LocalHub {
    const hub = this.local.get(name) ?? new LocalHub();
    this.local.set(name, hub);
    return hub;
  }

  private serial(hub: LocalHub, step: () => Promise<void>): Promise<void> {
    const next = hub.chain.then(step, step);
    hub.chain = next.catch(() => {});
    return next;
  }

  private async deliver(name: string, audience: "user" | "staff", input: HubEvent[], allowed: Listeners) {
    const events = z.array(hubEventSchema).parse(input);
    const listeners = listenersSchema.parse(allowed);
    await Promise.all(
      events.map((event) =>
        this.data.store(name, `${event.eventId}@${event.at}`, (seq) => eventMessage(event, seq, audience), listeners),
      ),
    );
    await this.changed(name);
    return events.map((e) => e.eventId);
  }

  private async announce(name: string, key: string, input: StaffNotice, allowed: Listeners): Promise<void> {
    const notice = staffNoticeSchema.parse(input);
    const at = new Date().toISOString();
    await this.data.store(name, key, (seq) => ({ ...notice, seq, at }), listenersSchema.parse(allowed));
    await this.changed(name);
  }

  /** Closes these sessions' sockets here, and tells the other processes; returns how many closed here. */
  private async revoke(name: string, families: string[]): Promise<number> {
    const ended = z.array(z.string()).parse(families);
    await this.data.revoke(name, ended);
    const hub = this.local.get(name);
    if (!hub) return 0;
    const closing = [...hub.sockets].filter((s) => s.family && ended.includes(s.family));
    for (const s of closing) {
      hub.sockets.delete(s);
      closeRevoked(s.ws);
    }
    await this.changed(name);
    return closing.length;
  }

  /** This process wrote to a hub: its sockets here hear of it now, not at the next poll. */
  private async changed(name: string): Promise<void> {
    const hub = this.local.get(name);
    if (hub) await this.serial(hub, () => this.sync(name, hub));
  }

  /** One poll at a time: a slow store must not pile reads up behind it. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.pollOnce();
    } catch (error) {
      logFailure("hub poll")(error);
    } finally {
      this.polling = false;
    }
  }

  private async pollOnce(): Promise<void> {
    const names = [...this.local.keys()];
    if (Date.now() > this.leased + COUNT_LEASE_MS / 4) {
      this.leased = Date.now();
      await Promise.all(names.map((n) => this.data.writeCount(n, this.local.get(n)?.sockets.size ?? 0)));
    }
    for (const [i, entry] of (await this.data.heads(names)).entries()) {
      const name = names[i]!;
      const hub = this.local.get(name);
      if (hub && entry.versionstamp !== hub.version) {
        this.serial(hub, () => this.sync(name, hub)).catch(logFailure("hub sync"));
      }
    }
  }

  /** Brings this process's sockets of a hub up to its head: closes who lost the right, then sends what is new. */
  private async sync(name: string, hub: LocalHub): Promise<void> {
    const entry = await this.data.head(name);
    const head = entry.value ?? EMPTY;
    hub.version = entry.versionstamp;
    if (head.rv !== hub.rv) {
      hub.rv = head.rv;
      const ended = new Set(head.revoked);
      for (const s of hub.sockets) if (s.family && ended.has(s.family)) this.drop(hub, s);
    }
    if (head.lv !== hub.lv) {
      hub.lv = head.lv;
      const allowed = await this.data.listeners(name, head.listenerKeys);
      const users = new Set(allowed.users);
      const sessions = new Set(allowed.sessions);
      for (const s of hub.sockets) {
        if (!users.has(s.userId) || (s.family !== undefined && !sessions.has(s.family))) this.drop(hub, s);
      }
    }
    if (hub.sockets.size === 0) return;
    const from = Math.min(...[...hub.sockets].map((s) => s.cursor));
    if (from >= head.seq) return;
    const events = await this.data.events(name, from, head.seq);
    for (const s of hub.sockets) {
      for (const [seq, body] of events) {
        if (seq <= s.cursor) continue;
        try {
          s.ws.send(body);
        } catch {
          // A socket closing right now; its client replays with ?since= on reconnect.
        }
        s.cursor = seq;
      }
    }
  }

  private drop(hub: LocalHub, s: Subscriber): void {
    hub.sockets.delete(s);
    closeRevoked(s.ws);
  }
}

const tooMany = () => Response.json({ detail: "Too many connections for this user." }, { status: 429 });

/** A client message: "ping" gets "pong"; anything else an error, or a close when too big. */
function answer(ws: WebSocket, message: string | ArrayBuffer): void {
  if (message === "ping") {
    ws.send("pong");
    return;
  }
  const size = typeof message === "string" ? encoder.encode(message).byteLength : message.byteLength;
  if (size > MAX_CLIENT_MESSAGE) {
    ws.close(1009, "Message too big");
    return;
  }
  ws.send(
    JSON.stringify({
      type: "error",
      message: `Unknown message; send "ping" or nothing.`,
      received: typeof message === "string" ? message.slice(0, 100) : "binary",
    }),
  );
}
