// Runs in the load child: from a status change's HTTP response to the WebSocket message(s).
import WebSocket from "ws";
import { type Latency, summarize } from "./stats.ts";

/** A status change to make as staff, and whose owner's sockets must hear of it. */
export interface Change {
  orderId: number;
  status: string;
  /** Index into the task's owner tokens. */
  owner: number;
}

export interface NotifyTask {
  kind: "notify";
  baseUrl: string;
  staffToken: string;
  ownerTokens: string[];
  /** Made one at a time, in order. */
  changes: Change[];
}

export interface NotifyResult {
  changes: number;
  /** HTTP response received → message received on the owner's socket (negative: the message came first). */
  latency: Latency;
  /** HTTP request sent → message received: the whole way from the staff's click to the owner. */
  sinceRequest: Latency;
  /** The PATCH itself. */
  http: Latency;
  /** Changes whose message never came within 5 s, and PATCHes that were not 200. */
  missed: number;
  errors: number;
}

export interface FanoutTask {
  kind: "fanout";
  baseUrl: string;
  staffToken: string;
  ownerToken: string;
  sockets: number;
  /** Each is one broadcast to every socket. */
  changes: Omit<Change, "owner">[];
}

export interface FanoutResult {
  sockets: number;
  /** Sockets the hub refused or that failed to open. */
  refused: number;
  openSeconds: number;
  /**
   * Per broadcast, in ms from the moment the status change was requested: its HTTP response, the
   * first and the last socket to receive the message; `spread` is last − first (the fan-out itself).
   */
  broadcasts: { response: number; first: number; last: number; spread: number; received: number }[];
  /** The worst `last` over the broadcasts. */
  lastMs: number;
  errors: number;
}

type Arrivals = Map<string, number[]>;
const keyOf = (orderId: number, status: string) => `${orderId}:${status}`;

/** Opens a socket and resolves once the server's greeting arrived; arrivals of order_update are logged. */
function connect(
  baseUrl: string,
  token: string,
  label: string,
  arrivals: Arrivals,
  onArrival: () => void,
): Promise<WebSocket> {
  const url = `${baseUrl.replace(/^http/, "ws")}/ws/orders/notifications/?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no greeting within 10 s")), 10_000);
    ws.on("message", (data) => {
      const at = performance.now();
      const msg = JSON.parse(String(data)) as { type: string; order_id?: number; status?: string };
      if (msg.type === "connection_established") {
        clearTimeout(timer);
        resolve(ws);
      } else if (msg.type === "order_update") {
        const key = label + keyOf(msg.order_id!, msg.status!);
        const list = arrivals.get(key) ?? [];
        list.push(at);
        arrivals.set(key, list);
        onArrival();
      }
    });
    ws.on("unexpected-response", (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`upgrade refused: ${res.statusCode}`));
    });
    ws.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function patchStatus(
  baseUrl: string,
  staffToken: string,
  change: Omit<Change, "owner">,
): Promise<{ ok: boolean; sent: number; done: number }> {
  const sent = performance.now();
  const res = await fetch(`${baseUrl}/api/orders/${change.orderId}/update_status/`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${staffToken}`, "content-type": "application/json" },
    body: JSON.stringify({ status: change.status }),
  });
  await res.arrayBuffer();
  return { ok: res.status === 200, sent, done: performance.now() };
}

/** Resolves when `count` arrivals for the key are in, or after `ms`. */
function waitFor(
  arrivals: Arrivals,
  key: string,
  count: number,
  ms: number,
  wake: { fn: () => void },
): Promise<number[]> {
  return new Promise((resolve) => {
    const check = () => {
      const list = arrivals.get(key) ?? [];
      if (list.length >= count) finish(list);
    };
    const timer = setTimeout(() => finish(arrivals.get(key) ?? []), ms);
    const finish = (list: number[]) => {
      clearTimeout(timer);
      wake.fn = () => {};
      resolve(list);
    };
    wake.fn = check;
    check();
  });
}

export async function runNotify(task: NotifyTask): Promise<NotifyResult> {
  const arrivals: Arrivals = new Map();
  const wake = { fn: () => {} };
  // Arrivals are keyed by the socket's owner, so a message on someone else's socket never counts.
  const sockets = await Promise.all(
    task.ownerTokens.map((t, i) => connect(task.baseUrl, t, `${i}/`, arrivals, () => wake.fn())),
  );
  const latency: number[] = [];
  const sinceRequest: number[] = [];
  const http: number[] = [];
  let missed = 0;
  let errors = 0;
  try {
    for (const change of task.changes) {
      const res = await patchStatus(task.baseUrl, task.staffToken, change);
      if (!res.ok) {
        errors++;
        continue;
      }
      http.push(res.done - res.sent);
      const [at] = await waitFor(arrivals, `${change.owner}/${keyOf(change.orderId, change.status)}`, 1, 5000, wake);
      if (at === undefined) missed++;
      else {
        latency.push(at - res.done);
        sinceRequest.push(at - res.sent);
      }
    }
  } finally {
    for (const ws of sockets) ws.terminate();
  }
  return {
    changes: task.changes.length,
    latency: summarize(latency),
    sinceRequest: summarize(sinceRequest),
    http: summarize(http),
    missed,
    errors,
  };
}

export async function runFanout(task: FanoutTask): Promise<FanoutResult> {
  const arrivals: Arrivals = new Map();
  const wake = { fn: () => {} };
  const sockets: WebSocket[] = [];
  let refused = 0;
  const opening = performance.now();
  // A few upgrades at a time: each one authenticates against Postgres on its own connection.
  const queue = Array.from({ length: task.sockets }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (queue.shift() !== undefined) {
        try {
          sockets.push(await connect(task.baseUrl, task.ownerToken, "", arrivals, () => wake.fn()));
        } catch {
          refused++;
        }
      }
    }),
  );
  const openSeconds = (performance.now() - opening) / 1000;
  const broadcasts: FanoutResult["broadcasts"] = [];
  let errors = 0;
  try {
    for (const change of task.changes) {
      const res = await patchStatus(task.baseUrl, task.staffToken, change);
      if (!res.ok) {
        errors++;
        continue;
      }
      const list = await waitFor(arrivals, keyOf(change.orderId, change.status), sockets.length, 15_000, wake);
      const ms = (at: number) => Math.round((at - res.sent) * 100) / 100;
      const first = list.length ? Math.min(...list) : Number.NaN;
      const last = list.length ? Math.max(...list) : Number.NaN;
      broadcasts.push({
        response: ms(res.done),
        first: ms(first),
        last: ms(last),
        spread: Math.round((last - first) * 100) / 100,
        received: list.length,
      });
    }
  } finally {
    for (const ws of sockets) ws.terminate();
  }
  return {
    sockets: sockets.length,
    refused,
    openSeconds: Math.round(openSeconds * 10) / 10,
    broadcasts,
    lastMs: Math.max(...broadcasts.map((b) => b.last)),
    errors,
  };
}
