// The client's reconnecting socket (packages/client/src/socket.ts) over a scripted WebSocket and
// fake timers: resume after the last seq, backoff between attempts, a dead connection found by
// ping, and the two ends that must not retry (the session is over, access revoked).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../packages/client/src/errors.ts";
import { type SocketState, subscribe } from "../../packages/client/src/socket.ts";

class FakeSocket extends EventTarget {
  static readonly OPEN = 1;
  static opened: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closed: { code?: number; reason?: string } | null = null;
  readonly url: string;
  readonly protocols: string[];
  constructor(url: string, protocols: string[]) {
    super();
    this.url = url;
    this.protocols = protocols;
    FakeSocket.opened.push(this);
  }
  open() {
    this.readyState = FakeSocket.OPEN;
    this.receive({ type: "connection_established" });
  }
  receive(message: unknown) {
    this.dispatchEvent(
      new MessageEvent("message", { data: typeof message === "string" ? message : JSON.stringify(message) }),
    );
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason };
    this.drop(code ?? 1000);
  }
  /** The connection ends (by either side) with `code`. */
  drop(code: number) {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event("close"), { code }));
  }
}

const last = () => FakeSocket.opened.at(-1)!;
const since = (s: FakeSocket) => new URL(s.url).searchParams.get("since");
const event = (seq: number) => ({ type: "order_update", seq, order_id: 1, status: "shipped" });

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.opened = [];
});
afterEach(() => vi.useRealTimers());

function start(overrides: Partial<Parameters<typeof subscribe>[0]> = {}) {
  const events: number[] = [];
  const states: SocketState[] = [];
  const resyncs: number[] = [];
  const sub = subscribe({
    url: "https://shop.test/ws/orders/notifications/",
    token: async () => "access-token",
    onEvent: (e) => events.push(e.seq),
    onState: (s) => states.push(s),
    onResync: () => resyncs.push(1),
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    ...overrides,
  });
  return { sub, events, states, resyncs };
}

describe("client socket", () => {
  it("sends the token as a subprotocol, resumes after the last seq on reconnect, and asks for a resync", async () => {
    const { sub, events, resyncs } = start({ since: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(last().url).toBe("wss://shop.test/ws/orders/notifications/?since=4");
    expect(last().protocols).toEqual(["bearer", "access-token"]);
    last().open();
    last().receive(event(5));
    last().receive(event(6));
    last().drop(1006);
    // The first retry comes after about a second (±20 %), not at once.
    await vi.advanceTimersByTimeAsync(700);
    expect(FakeSocket.opened).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(FakeSocket.opened).toHaveLength(2);
    expect(since(last())).toBe("6");
    last().open();
    expect([events, resyncs.length, sub.lastSeq]).toEqual([[5, 6], 1, 6]);
    sub.stop();
  });

  it("hands the staff feed's notices on apart from events, counting their seq for the resume", async () => {
    const notices: number[] = [];
    const { sub, events } = start({ onNotice: (n) => notices.push(n.endpoint_id) });
    await vi.advanceTimersByTimeAsync(0);
    last().open();
    last().receive(event(1));
    last().receive({
      type: "webhook_disabled",
      seq: 2,
      endpoint_id: 7,
      url: "https://x.example/",
      message: "m",
      at: "t",
    });
    expect([events, notices, sub.lastSeq]).toEqual([[1], [7], 2]);
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(1300);
    // A reconnection resumes after the notice, so it is not replayed.
    expect(since(last())).toBe("2");
    sub.stop();
  });

  it("backs off exponentially while the server stays away, up to the cap", async () => {
    const { sub } = start({ maxDelay: 4000 });
    await vi.advanceTimersByTimeAsync(0);
    const gaps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = FakeSocket.opened.length;
      last().drop(1006);
      let waited = 0;
      while (FakeSocket.opened.length === before) {
        await vi.advanceTimersByTimeAsync(100);
        waited += 100;
      }
      gaps.push(waited);
    }
    expect(gaps[0]).toBeLessThanOrEqual(1300);
    expect(gaps[2]).toBeGreaterThanOrEqual(3100);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(4900);
    sub.stop();
  });

  it("closes a connection that stops answering ping, then reconnects", async () => {
    const { sub } = start({ pingEvery: 1000, pongWithin: 500 });
    await vi.advanceTimersByTimeAsync(0);
    last().open();
    await vi.advanceTimersByTimeAsync(1000);
    expect(last().sent).toEqual(["ping"]);
    last().receive("pong");
    await vi.advanceTimersByTimeAsync(1000);
    const dead = last();
    await vi.advanceTimersByTimeAsync(600);
    expect(dead.closed?.code).toBe(4000);
    await vi.advanceTimersByTimeAsync(1300);
    expect(FakeSocket.opened).toHaveLength(2);
    sub.stop();
  });

  it("reconnects after a dead connection even when its close never arrives", async () => {
    const { sub } = start({ pingEvery: 1000, pongWithin: 500 });
    await vi.advanceTimersByTimeAsync(0);
    const dead = last();
    dead.open();
    dead.close = (code) => {
      dead.closed = { code };
    };
    await vi.advanceTimersByTimeAsync(1500);
    expect(dead.closed?.code).toBe(4000);
    await vi.advanceTimersByTimeAsync(1300);
    expect(FakeSocket.opened).toHaveLength(2);
    sub.stop();
  });

  it("opens one socket when reconnect() comes while the token is still being fetched", async () => {
    const token = () => new Promise<string>((resolve) => setTimeout(() => resolve("access-token"), 100));
    const { sub, events } = start({ token });
    await vi.advanceTimersByTimeAsync(50);
    sub.reconnect();
    await vi.advanceTimersByTimeAsync(200);
    expect(FakeSocket.opened).toHaveLength(1);
    last().open();
    last().receive(event(1));
    expect(events).toEqual([1]);
    sub.stop();
  });

  it("stops for good when access is revoked (4403) or the session has ended (401)", async () => {
    const revoked = start();
    await vi.advanceTimersByTimeAsync(0);
    last().open();
    last().drop(4403);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
    expect(revoked.states.at(-1)).toBe("stopped");

    const ended = start({ token: async () => Promise.reject(new ApiError(401, { detail: "Not signed in." })) });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
    expect(ended.states).toEqual(["connecting", "stopped"]);
  });
});
