import type { WorkerHarness } from "./support";

export interface Client {
  res: Response;
  ws: WebSocket | null;
  /** Every message so far: JSON parsed, "pong" as is. */
  messages: any[];
  /** The next message not read yet; fails after 5 s. */
  next(): Promise<any>;
  /** Resolves with the close code once the server closed the socket. */
  closed: Promise<number>;
}

/** A client WebSocket through the app (the Worker authenticates, the hub accepts). */
export async function connect(
  w: WorkerHarness,
  path: string,
  init: RequestInit = {},
  overrides?: Parameters<WorkerHarness["request"]>[2],
): Promise<Client> {
  const res = await w.request(
    path,
    { ...init, headers: { upgrade: "websocket", ...(init.headers as Record<string, string>) } },
    overrides,
  );
  const ws = res.webSocket;
  const messages: any[] = [];
  if (!ws) return { res, ws: null, messages, next: async () => null, closed: Promise.resolve(0) };
  const waiters: (() => void)[] = [];
  ws.addEventListener("message", (e) => {
    messages.push(typeof e.data === "string" && e.data !== "pong" ? JSON.parse(e.data) : e.data);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
  ws.accept();
  let read = 0;
  const next = async (): Promise<any> => {
    const deadline = Date.now() + 5000;
    while (read >= messages.length) {
      if (Date.now() > deadline) throw new Error(`no message after ${JSON.stringify(messages)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return messages[read++];
  };
  return { res, ws, messages, next, closed };
}

/** Lets in-flight deliveries land before counting messages. */
export const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));

/**
 * Every test file has its own database, so user ids start at 1 in each, but Durable Objects are
 * shared by the files of a run: hub `user:3` of one file would be hub `user:3` of another. Files
 * that open sockets or reach hubs start their user ids at a random offset instead.
 */
export async function ownHubNames(w: WorkerHarness): Promise<void> {
  const start = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
  await w.query("select setval('users_id_seq', $1)", [start]);
}
