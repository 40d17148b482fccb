// WebSocket-to-TCP proxy that lets the Neon serverless driver (in Node or workerd) reach a
// plain local Postgres: each WebSocket carries one Postgres connection in binary frames.
import type { IncomingMessage } from "node:http";
import { type AddressInfo, connect, isIPv4, type Socket } from "node:net";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { refusal } from "./guard.ts";
import { emptyCounts, type PgClientCounts, PgClientScanner } from "./pg-messages.ts";

// The proxy must never become a way to reach other machines, whoever can talk to it.
function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  return isIPv4(h) && h.startsWith("127.");
}

// Accepts "host:port", "[v6]:port"; returns undefined for anything else.
function parseTarget(address: string | null): { host: string; port: number } | undefined {
  const m = address?.match(/^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!host || !(port >= 1 && port <= 65535)) return undefined;
  return { host, port };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Totals over every connection since the proxy started (only with `countMessages`). */
export interface PgTraffic extends PgClientCounts {
  /** Connections opened, and how many of them are still open. */
  connections: number;
  open: number;
}

export interface PgWsProxy {
  port: number;
  /** Client message counts, or null when the proxy was started without `countMessages`. */
  traffic(): PgTraffic | null;
  close(): Promise<void>;
}

/**
 * `secret` must come as the `key` query parameter (the Worker's `PG_WS_PROXY_KEY`); a handshake
 * without it, or from a web page, is refused before any socket to Postgres exists.
 * `countMessages` (off by default, for benchmarks) frames what clients send and counts Query and
 * Sync messages, i.e. round trips to Postgres; the bytes are forwarded exactly the same either way.
 */
export async function startPgWsProxy(opts: {
  secret: string;
  port?: number;
  countMessages?: boolean;
}): Promise<PgWsProxy> {
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: opts.port ?? 0,
    perMessageDeflate: false,
    verifyClient: ({ req }: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
      const why = refusal(req, opts.secret, new URL(req.url ?? "/", "http://localhost").searchParams.get("key"));
      if (why) done(false, 403, why);
      else done(true);
    },
  });
  const sockets = new Set<Socket>();
  const scanners = new Set<PgClientScanner>();
  const closed = emptyCounts();
  let connections = 0;

  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const target = parseTarget(url.searchParams.get("address"));
    if (!target || !isLoopback(target.host)) {
      ws.close(1008, "target not allowed: only loopback addresses");
      return;
    }

    const tcp = connect({ host: target.host, port: target.port });
    tcp.setNoDelay(true);
    sockets.add(tcp);
    const scanner = opts.countMessages ? new PgClientScanner() : undefined;
    if (scanner) {
      connections++;
      scanners.add(scanner);
    }
    // The driver writes its startup message right after the upgrade, before TCP is up.
    let early: Buffer[] | null = [];

    tcp.on("connect", () => {
      if (early?.length) tcp.write(Buffer.concat(early));
      early = null;
    });
    tcp.on("data", (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
    });
    tcp.on("error", () => {
      if (ws.readyState === ws.OPEN) ws.close(1011, "upstream error");
    });
    tcp.on("close", () => {
      sockets.delete(tcp);
      if (scanner && scanners.delete(scanner)) {
        for (const k of Object.keys(closed) as (keyof PgClientCounts)[]) closed[k] += scanner.counts[k];
      }
      if (ws.readyState === ws.OPEN) ws.close(1000);
    });

    ws.on("message", (data: RawData) => {
      const buf = toBuffer(data);
      scanner?.push(buf);
      if (early) early.push(buf);
      else if (!tcp.destroyed) tcp.write(buf);
    });
    ws.on("close", () => tcp.end());
    ws.on("error", () => tcp.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const port = (wss.address() as AddressInfo).port;

  return {
    port,
    traffic() {
      if (!opts.countMessages) return null;
      const total = { ...closed, connections, open: scanners.size };
      for (const s of scanners)
        for (const k of Object.keys(closed) as (keyof PgClientCounts)[]) total[k] += s.counts[k];
      return total;
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
