// What a hub on Deno keeps in Deno KV, and the one place that reads and writes it. Per hub:
// ["hub", name, "head"] (seq, listener and revocation versions), "event"/seq (the message),
// "key"/event key → seq (dedup), "listeners"/i, and "sockets"/process (each process's count).
import { type Listeners, RETAINED_EVENTS } from "../../realtime/events";

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
export const COUNT_LEASE_MS = 120_000;

/** What every process reads to know a hub changed. */
export interface Head {
  seq: number;
  /** Bumped when a delivery writes new listeners (in `listenerKeys` chunks). */
  lv: number;
  listenerKeys: number;
  /** Bumped with each logout; `revoked` holds the latest sessions. */
  rv: number;
  revoked: string[];
}
export const EMPTY: Head = { seq: 0, lv: 0, listenerKeys: 0, rv: 0, revoked: [] };

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

export class HubStore {
  /** Per hub, the messages waiting for the commit after the one in flight. */
  private readonly writes = new Map<string, Write[]>();

  constructor(
    private readonly kv: Deno.Kv,
    /** This process's name in the socket counts. */
    private readonly process: string,
  ) {}

  head(name: string): Promise<Deno.KvEntryMaybe<Head>> {
    return this.kv.get<Head>(["hub", name, "head"]);
  }

  /** The heads of many hubs. */
  heads(names: string[]): Promise<Deno.KvEntryMaybe<Head>[]> {
    return this.getAll<Head>(names.map((n) => ["hub", n, "head"]));
  }

  /** Any number of keys, in order: KV reads at most ten in one call, so these go ten at a time, at once. */
  private async getAll<T>(keys: Deno.KvKey[]): Promise<Deno.KvEntryMaybe<T>[]> {
    const parts: Promise<Deno.KvEntryMaybe<T>[]>[] = [];
    for (let i = 0; i < keys.length; i += 10) parts.push(this.kv.getMany<T[]>(keys.slice(i, i + 10)));
    return (await Promise.all(parts)).flat();
  }

  /**
   * Gives a message not yet held under `key` the next seq, with the listeners it was written
   * for. One commit per hub at a time in this process, carrying every message that arrived
   * meanwhile: concurrent writers of one hub (the staff feed gets every order) would otherwise
   * fail each other's checks and retry without end.
   */
  store(name: string, key: string, render: (seq: number) => object, listeners: Listeners): Promise<void> {
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
      const headEntry = await this.head(name);
      const keys = [...new Set(batch.map((w) => w.key))];
      // Taken: already stored, or earlier in this batch (a retry arriving with its original).
      const taken = new Set<string>();
      const held = await this.getAll<number>(keys.map((k) => ["hub", name, "key", k]));
      for (const [i, e] of held.entries()) if (e.value !== null) taken.add(keys[i]!);
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
      for (const old of await this.getAll<Stored>(drops)) {
        op.delete(old.key);
        if (old.value) op.delete(["hub", name, "key", old.value.key]);
      }
      if ((await op.commit()).ok) return;
    }
  }

  /** Adds these sessions to the hub's revoked ones, for every process holding their sockets. */
  async revoke(name: string, ended: string[]): Promise<void> {
    for (;;) {
      const entry = await this.head(name);
      const head = entry.value ?? EMPTY;
      const revoked = [...head.revoked, ...ended].slice(-KEPT_REVOCATIONS);
      const { ok } = await this.kv
        .atomic()
        .check(entry)
        .set(["hub", name, "head"], { ...head, rv: head.rv + 1, revoked })
        .commit();
      if (ok) return;
    }
  }

  async events(name: string, after: number, upTo: number): Promise<[number, string][]> {
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

  async listeners(name: string, keys: number): Promise<Listeners> {
    const found = await this.getAll<Listeners>(Array.from({ length: keys }, (_, i) => ["hub", name, "listeners", i]));
    const parts = found.flatMap((e) => (e.value ? [e.value] : []));
    return { users: parts.flatMap((p) => p.users), sessions: parts.flatMap((p) => p.sessions) };
  }

  /** Sockets of a hub in the other processes, as each last said within its lease. */
  async otherSockets(name: string): Promise<number> {
    let count = 0;
    const now = Date.now();
    for await (const e of this.kv.list<{ n: number; until: number }>({ prefix: ["hub", name, "sockets"] })) {
      if (e.key[3] !== this.process && e.value.until > now) count += e.value.n;
    }
    return count;
  }

  /** This process's socket count for a hub, good for COUNT_LEASE_MS; none is no entry. */
  async writeCount(name: string, sockets: number): Promise<void> {
    const key = ["hub", name, "sockets", this.process];
    if (sockets === 0) await this.kv.delete(key);
    else await this.kv.set(key, { n: sockets, until: Date.now() + COUNT_LEASE_MS });
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
