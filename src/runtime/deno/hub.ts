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

/** How often a process looks for other processes' writes to the hubs it holds sockets for. */
export const POLL_MS = 100;
/**
 * Messages written to a hub in one atomic commit at most: KV reads at most 10 keys at a time and
 * commits at most 1,000 mutations (each message takes two, four once retention drops one).
 */
const WRITE_BATCH = 40;
/** Sessions per KV value: a value holds at most 64 KiB. */
const SESSIONS_PER_KEY = 1000;
/** Logged-out sessions kept in a hub's head, for the processes that hold their sockets. */
const KEPT_REVOCATIONS = 200;
/** A process's socket count for a hub counts this long unless it is written again. */
const COUNT_LEASE_MS = 120_000;

/** What every process reads to know a hub changed. */
interface Head {
  seq: number;
  /** Bumped when a delivery writes new listeners (in `listenerKeys` chunks). */
  lv: number;
  listenerKeys: number;
  /** Bumped with each logout; `revoked` holds the latest sessions. */
  rv: number;
  revoked: string[];
}
const EMPTY: Head = { seq: 0, lv: 0, listenerKeys: 0, rv: 0, revoked: [] };

interface Stored {
  key: string;
  body: string;
}

/** A message waiting for its hub's next commit. */
interface Write {
  key: string;
  render: (seq: number) => object;
  listeners: Listeners;
  done: PromiseWithResolvers<void>;
}

interface Subscriber {
  ws: WebSocket;
  userId: number;
  family?: string;
  /** The last seq this socket was sent. */
  cursor: number;
}

const encoder = new TextEncoder();

function closeRevoked(ws: WebSocket): void {
  try {
    ws.close(ACCESS_REVOKED, "access revoked");
  } catch {
    // Already closing.
  }
}

/** One hub's sockets in this process, and what they have been told. */
class LocalHub {
  readonly sockets = new Set<Subscriber>();
  lv = -1;
  rv = -1;
  version: string | null = null;
  /** Syncs one at a time, so no socket is sent an event twice or out of order. */
  chain: Promise<unknown> = Promise.resolve();
  /** Sockets open but not joined yet: the hub stays this process's until they are. */
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
  private readonly process = crypto.randomUUID();
  private timer: ReturnType<typeof setInterval> | undefined;
  private leased = Date.now();
  private polling = false;
  /** Per hub, the messages waiting for the commit after the one in flight. */
  private readonly writes = new Map<string, Write[]>();

  constructor(
    private readonly kv: Deno.Kv,
    /** The request being served: `Deno.upgradeWebSocket` needs the original, not a copy. */
    private readonly original: () => Request | undefined,
  ) {}

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
    for (const hub of this.local.values()) for (const s of hub.sockets) s.ws.close(1001, "going away");
    this.local.clear();
    await Promise.all(names.map((name) => this.kv.delete(["hub", name, "sockets", this.process])));
  }

  private async connect(name: string, request: Request): Promise<Response> {
    const who = hubConnect(request.headers);
    const original = this.original();
    if (!who || !original) return new Response("bad hub request", { status: 400 });
    // The socket hears every event after this read, even one stored before its join below runs.
    const [count, at] = await Promise.all([this.socketCount(name), this.kv.get<Head>(["hub", name, "head"])]);
    if (count >= who.maxSockets) {
      return Response.json({ detail: "Too many connections for this user." }, { status: 429 });
    }
    const { socket, response } = Deno.upgradeWebSocket(original);
    // Chosen here, not through `{ protocol }`: Deno 2.9 splits the offered list on ", " only, so a
    // client sending "bearer,<token>" (the ws package does) would be refused.
    if (who.bearer) response.headers.set("sec-websocket-protocol", "bearer");
    socket.binaryType = "arraybuffer";
    const subscriber: Subscriber = { ws: socket, userId: who.userId, family: who.family, cursor: 0 };
    const hub = this.hub(name);
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: "connection_established", message: "Connected to order notifications" }));
      hub.joining += 1;
      const join = () =>
        this.join(name, hub, subscriber, at, who.since).finally(() => {
          hub.joining -= 1;
          this.release(name, hub);
        });
      this.serial(hub, join).catch(logFailure("hub join"));
    };
    socket.onmessage = (e) => answer(socket, e.data);
    socket.onclose = () => {
      // After close() the hub is no longer this process's: its count is gone already.
      if (hub.sockets.delete(subscriber) && this.local.get(name) === hub) {
        this.writeCount(name, hub).catch(logFailure("hub socket count"));
      }
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
      for (const [, body] of await this.events(name, since, head.seq)) s.ws.send(body);
    }
    if (s.ws.readyState !== WebSocket.OPEN) return;
    hub.sockets.add(s);
    this.local.set(name, hub);
    // What was stored since `at`, and any change of listeners, before anything newer.
    await this.sync(name, hub);
    // Not awaited: a burst of joins must not wait on one write each.
    this.writeCount(name, hub).catch(logFailure("hub socket count"));
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
        this.store(name, `${event.eventId}@${event.at}`, (seq) => eventMessage(event, seq, audience), listeners),
      ),
    );
    await this.changed(name);
    return events.map((e) => e.eventId);
  }

  private async announce(name: string, key: string, input: StaffNotice, allowed: Listeners): Promise<void> {
    const notice = staffNoticeSchema.parse(input);
    const at = new Date().toISOString();
    await this.store(name, key, (seq) => ({ ...notice, seq, at }), listenersSchema.parse(allowed));
    await this.changed(name);
  }

  /**
   * Gives a message not yet held under `key` the next seq, with the listeners it was written
   * for. One commit per hub at a time in this process, carrying every message that arrived
   * meanwhile: concurrent writers of one hub (the staff feed gets every order) would otherwise
   * fail each other's checks and retry without end.
   */
  private store(name: string, key: string, render: (seq: number) => object, listeners: Listeners): Promise<void> {
    const done = Promise.withResolvers<void>();
    const queued = this.writes.get(name);
    if (queued) queued.push({ key, render, listeners, done });
    else {
      const writes = [{ key, render, listeners, done }];
      this.writes.set(name, writes);
      void this.drain(name, writes);
    }
    return done.promise;
  }

  private async drain(name: string, writes: Write[]): Promise<void> {
    while (writes.length > 0) {
      const batch = writes.splice(0, WRITE_BATCH);
      try {
        await this.commit(name, batch);
        for (const w of batch) w.done.resolve();
      } catch (error) {
        for (const w of batch) w.done.reject(error);
      }
    }
    this.writes.delete(name);
  }

  /**
   * One atomic commit of the batch's new messages, the latest listeners, and the drop of what falls
   * out of the retained window. Every write to a hub changes its head, so the head's check alone
   * proves nothing was stored under these keys since they were read; retried if another process wrote.
   */
  private async commit(name: string, batch: Write[]): Promise<void> {
    for (;;) {
      const headEntry = await this.kv.get<Head>(["hub", name, "head"]);
      const keys = [...new Set(batch.map((w) => w.key))];
      // Taken: already stored, or earlier in this batch (a retry arriving with its original).
      const taken = new Set<string>();
      for (let i = 0; i < keys.length; i += 10) {
        const found = await this.kv.getMany<number[]>(keys.slice(i, i + 10).map((k) => ["hub", name, "key", k]));
        for (const [j, e] of found.entries()) if (e.value !== null) taken.add(keys[i + j]!);
      }
      const fresh: Write[] = [];
      for (const w of batch) {
        if (taken.has(w.key)) continue;
        taken.add(w.key);
        fresh.push(w);
      }
      if (fresh.length === 0) return;
      const head = headEntry.value ?? EMPTY;
      const chunks = chunk(fresh.at(-1)!.listeners);
      const op = this.kv.atomic().check(headEntry);
      let seq = head.seq;
      for (const w of fresh) {
        seq += 1;
        op.set(["hub", name, "event", seq], { key: w.key, body: JSON.stringify(w.render(seq)) } satisfies Stored);
        op.set(["hub", name, "key", w.key], seq);
      }
      op.set(["hub", name, "head"], { ...head, seq, lv: head.lv + 1, listenerKeys: chunks.length });
      for (const [i, part] of chunks.entries()) op.set(["hub", name, "listeners", i], part);
      const drops: Deno.KvKey[] = [];
      for (let gone = Math.max(1, head.seq + 1 - RETAINED_EVENTS); gone <= seq - RETAINED_EVENTS; gone++) {
        drops.push(["hub", name, "event", gone]);
      }
      for (let i = 0; i < drops.length; i += 10) {
        for (const old of await this.kv.getMany<Stored[]>(drops.slice(i, i + 10))) {
          op.delete(old.key);
          if (old.value) op.delete(["hub", name, "key", old.value.key]);
        }
      }
      if ((await op.commit()).ok) return;
    }
  }

  /** Closes these sessions' sockets here, and tells the other processes; returns how many closed here. */
  private async revoke(name: string, families: string[]): Promise<number> {
    const ended = z.array(z.string()).parse(families);
    for (;;) {
      const entry = await this.kv.get<Head>(["hub", name, "head"]);
      const head = entry.value ?? EMPTY;
      const revoked = [...head.revoked, ...ended].slice(-KEPT_REVOCATIONS);
      const { ok } = await this.kv
        .atomic()
        .check(entry)
        .set(["hub", name, "head"], { ...head, rv: head.rv + 1, revoked })
        .commit();
      if (ok) break;
    }
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
      await Promise.all(names.map((n) => this.writeCount(n, this.local.get(n)!)));
    }
    for (let i = 0; i < names.length; i += 10) {
      const part = names.slice(i, i + 10);
      const heads = await this.kv.getMany<Head[]>(part.map((n) => ["hub", n, "head"]));
      heads.forEach((entry, j) => {
        const hub = this.local.get(part[j]!);
        if (hub && entry.versionstamp !== hub.version) {
          this.serial(hub, () => this.sync(part[j]!, hub)).catch(logFailure("hub sync"));
        }
      });
    }
  }

  /** Brings this process's sockets of a hub up to its head: closes who lost the right, then sends what is new. */
  private async sync(name: string, hub: LocalHub): Promise<void> {
    const entry = await this.kv.get<Head>(["hub", name, "head"]);
    const head = entry.value ?? EMPTY;
    hub.version = entry.versionstamp;
    if (head.rv !== hub.rv) {
      hub.rv = head.rv;
      const ended = new Set(head.revoked);
      for (const s of hub.sockets) if (s.family && ended.has(s.family)) this.drop(hub, s);
    }
    if (head.lv !== hub.lv) {
      hub.lv = head.lv;
      const allowed = await this.listeners(name, head.listenerKeys);
      const users = new Set(allowed.users);
      const sessions = new Set(allowed.sessions);
      for (const s of hub.sockets) {
        if (!users.has(s.userId) || (s.family !== undefined && !sessions.has(s.family))) this.drop(hub, s);
      }
    }
    if (hub.sockets.size === 0) return;
    const from = Math.min(...[...hub.sockets].map((s) => s.cursor));
    if (from >= head.seq) return;
    const events = await this.events(name, from, head.seq);
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

  private async events(name: string, after: number, upTo: number): Promise<[number, string][]> {
    const found: [number, string][] = [];
    const start = Math.max(after + 1, upTo - RETAINED_EVENTS + 1);
    for await (const e of this.kv.list<Stored>({
      start: ["hub", name, "event", start],
      end: ["hub", name, "event", upTo + 1],
    })) {
      found.push([e.key[3] as number, e.value.body]);
    }
    return found;
  }

  private async listeners(name: string, keys: number): Promise<Listeners> {
    const parts: Listeners[] = [];
    for (let i = 0; i < keys; i += 10) {
      const got = await this.kv.getMany<Listeners[]>(
        Array.from({ length: Math.min(10, keys - i) }, (_, j) => ["hub", name, "listeners", i + j]),
      );
      for (const e of got) if (e.value) parts.push(e.value);
    }
    return { users: parts.flatMap((p) => p.users), sessions: parts.flatMap((p) => p.sessions) };
  }

  /** Sockets of a hub in every process, as each last said. */
  private async socketCount(name: string): Promise<number> {
    let count = 0;
    const now = Date.now();
    for await (const e of this.kv.list<{ n: number; until: number }>({ prefix: ["hub", name, "sockets"] })) {
      if (e.key[3] !== this.process && e.value.until > now) count += e.value.n;
    }
    return count + (this.local.get(name)?.sockets.size ?? 0);
  }

  private async writeCount(name: string, hub: LocalHub): Promise<void> {
    const key = ["hub", name, "sockets", this.process];
    if (hub.sockets.size === 0) await this.kv.delete(key);
    else await this.kv.set(key, { n: hub.sockets.size, until: Date.now() + COUNT_LEASE_MS });
  }
}

/** Listeners split so no KV value passes its size limit; users ride with the first part. */
function chunk(listeners: Listeners): Listeners[] {
  const parts: Listeners[] = [];
  for (let i = 0; i === 0 || i < listeners.sessions.length; i += SESSIONS_PER_KEY) {
    parts.push({ users: i === 0 ? listeners.users : [], sessions: listeners.sessions.slice(i, i + SESSIONS_PER_KEY) });
  }
  return parts;
}

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
