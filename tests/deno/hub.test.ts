// The Deno hub (src/runtime/deno/hub.ts) on a real Deno KV file and real sockets: what the e2e
// suites cannot reach through the API — a retried event stored once, the retention limit, and
// listeners that no longer include a socket's user. Run by tests/node/deno-hub.test.ts.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { HubEvent } from "../../src/realtime/events.ts";
import { RETAINED_EVENTS } from "../../src/realtime/events.ts";
import { KvHubs } from "../../src/runtime/deno/hub.ts";

type Frame = Record<string, unknown>;

/** A KV file of its own, the hubs over it, and a server that upgrades `/?hub=&user=&since=&max=`. */
async function withHubs(test: (t: { hubs: KvHubs; open: (q: string) => Promise<Socket> }) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const kv = await Deno.openKv(`${dir}/kv.sqlite`);
  let current: Request | undefined;
  const hubs = new KvHubs(kv, () => current);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    const q = new URL(request.url).searchParams;
    const headers = new Headers({ "x-hub-audience": "user", "x-hub-user": q.get("user") ?? "" });
    if (q.has("since")) headers.set("x-hub-since", q.get("since")!);
    if (q.has("max")) headers.set("x-hub-max-sockets", q.get("max")!);
    current = request;
    return hubs.get(q.get("hub") ?? "").fetch(new Request(request, { headers }));
  });
  const sockets: Socket[] = [];
  const open = async (query: string) => {
    const socket = await connect(`ws://127.0.0.1:${server.addr.port}/?${query}`);
    sockets.push(socket);
    return socket;
  };
  try {
    await test({ hubs, open });
  } finally {
    await hubs.close();
    await Promise.all(sockets.map((s) => s.closed));
    await server.shutdown();
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
}

interface Socket {
  ws: WebSocket;
  frames: Frame[];
  /** Resolves once `n` frames arrived (fails after 5 s). */
  until(n: number): Promise<Frame[]>;
  closed: Promise<number>;
}

function connect(url: string): Promise<Socket> {
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  let wake = () => {};
  ws.onmessage = (e) => {
    frames.push(JSON.parse(String(e.data)));
    wake();
  };
  const closed = new Promise<number>((done) => (ws.onclose = (e) => done(e.code)));
  const until = async (n: number) => {
    const deadline = Date.now() + 5000;
    while (frames.length < n) {
      if (Date.now() > deadline) throw new Error(`${frames.length} of ${n} frames: ${JSON.stringify(frames)}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
    return frames;
  };
  return new Promise((done, fail) => {
    ws.onopen = () => done({ ws, frames, until, closed });
    ws.onerror = () => fail(new Error(`could not open ${url}`));
  });
}

const alice = { users: [1], sessions: [] };
const event = (eventId: number): HubEvent => ({
  eventId,
  type: "order_update",
  orderId: 100 + eventId,
  userId: 1,
  status: "pending",
  at: "2026-12-01T00:00:00.000Z",
});

Deno.test("a retried event is stored and sent once; the next one gets the next seq", () =>
  withHubs(async ({ hubs, open }) => {
    const socket = await open("hub=user:a&user=1");
    await socket.until(1);
    const hub = hubs.get("user:a");
    await hub.deliver("user", [event(1)], alice);
    await hub.deliver("user", [event(1)], alice);
    await hub.deliver("user", [event(2)], alice);
    const frames = await socket.until(3);
    assertEquals(
      frames.slice(1).map((f) => [f.seq, f.order_id]),
      [
        [1, 101],
        [2, 102],
      ],
    );
    const replay = await open("hub=user:a&user=1&since=0");
    assertEquals(
      (await replay.until(3)).slice(1).map((f) => f.seq),
      [1, 2],
    );
  }));

Deno.test(`keeps the last ${RETAINED_EVENTS} events and says so to a replay from further back`, () =>
  withHubs(async ({ hubs, open }) => {
    const hub = hubs.get("user:b");
    const total = RETAINED_EVENTS + 5;
    for (let i = 1; i <= total; i += 50) {
      await hub.deliver(
        "user",
        Array.from({ length: Math.min(50, total - i + 1) }, (_, k) => event(i + k)),
        alice,
      );
    }
    const far = await open("hub=user:b&user=1&since=0");
    const frames = await far.until(2 + RETAINED_EVENTS);
    assertEquals(frames[1], {
      type: "replay_truncated",
      oldest_seq: 6,
      message: "Events before seq 6 are no longer kept",
    });
    assertEquals(frames[2]?.seq, 6);
    assertEquals(frames.at(-1)?.seq, total);
    const near = await open(`hub=user:b&user=1&since=${total - 1}`);
    assertEquals(
      (await near.until(2)).slice(1).map((f) => f.seq),
      [total],
    );
  }));

Deno.test("keeps each user's events to their hub, and closes a socket whose user is no longer listed", () =>
  withHubs(async ({ hubs, open }) => {
    const mine = await open("hub=user:c&user=1");
    await mine.until(1);
    await hubs.get("user:d").deliver("user", [event(1)], { users: [2], sessions: [] });
    await hubs.get("user:c").deliver("user", [event(2)], { users: [], sessions: [] });
    assertEquals(await mine.closed, 4403);
    assertEquals(mine.frames.length, 1);
  }));

Deno.test("sends an event stored right after the upgrade to every socket, however far behind its join is", () =>
  withHubs(async ({ hubs, open }) => {
    // Joins run one at a time per hub: most of these are still queued when the event is stored.
    const sockets = await Promise.all(Array.from({ length: 200 }, () => open("hub=user:e&user=1")));
    await hubs.get("user:e").deliver("user", [event(1)], alice);
    for (const socket of sockets) assertEquals((await socket.until(2))[1]?.seq, 1);
  }));

Deno.test("numbers concurrent deliveries to one hub once each, in one sequence, copies included", () =>
  withHubs(async ({ hubs, open }) => {
    const socket = await open("hub=staff:f&user=1");
    await socket.until(1);
    const hub = hubs.get("staff:f");
    // As the staff feed gets them: every order at once, some delivered twice (a sweep and a retry).
    await Promise.all(Array.from({ length: 300 }, (_, i) => hub.deliver("user", [event((i % 250) + 1)], alice)));
    const seqs = (await socket.until(251)).slice(1).map((f) => f.seq);
    assertEquals(
      seqs,
      Array.from({ length: 250 }, (_, i) => i + 1),
    );
    const orders = new Set((await socket.until(251)).slice(1).map((f) => f.order_id));
    assertEquals(orders.size, 250);
  }));

Deno.test("holds simultaneous upgrades to the socket cap, and frees a place when a socket closes", () =>
  withHubs(async ({ open }) => {
    const tries = await Promise.allSettled(Array.from({ length: 12 }, () => open("hub=user:g&user=1&max=5")));
    const opened = tries.flatMap((t) => (t.status === "fulfilled" ? [t.value] : []));
    assertEquals([opened.length, tries.length - opened.length], [5, 7]);
    for (const socket of opened) await socket.until(1);
    opened[0]!.ws.close();
    await opened[0]!.closed;
    await new Promise((r) => setTimeout(r, 50));
    await open("hub=user:g&user=1&max=5");
  }));
