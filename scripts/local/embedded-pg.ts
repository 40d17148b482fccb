// Serves an embedded PGlite database on a local TCP port for machines without Postgres.
// PGlite has a single session, so a connection gets it exclusively from its first message
// until PGlite answers ReadyForQuery idle; other connections wait in FIFO order. The stock
// pglite-socket server interleaves extended-protocol messages of several clients instead.

import { type AddressInfo, createServer, type Socket } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);

type Conn = { socket: Socket; buffer: Buffer; pending: Buffer[]; started: boolean; gone: boolean };

function simpleQuery(sql: string): Buffer {
  const body = Buffer.from(`${sql}\0`);
  const head = Buffer.alloc(5);
  head.write("Q", 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

// Status byte of the last backend message when it is ReadyForQuery, else undefined.
function finalReadyStatus(out: Uint8Array): string | undefined {
  const buf = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  let status: string | undefined;
  for (let i = 0; i + 5 <= buf.length; i += 1 + buf.readInt32BE(i + 1)) {
    status = buf[i] === 0x5a ? String.fromCharCode(buf[i + 5] ?? 0) : undefined;
  }
  return status;
}

// Splits complete messages off conn.buffer; answers SSL/GSS requests; drops cancel requests.
function takeMessages(conn: Conn): void {
  for (;;) {
    const buf = conn.buffer;
    if (!conn.started) {
      if (buf.length < 8) return;
      const len = buf.readInt32BE(0);
      const code = buf.readInt32BE(4);
      if (buf.length < len) return;
      conn.buffer = buf.subarray(len);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) conn.socket.write("N");
      else if (code === CANCEL_REQUEST)
        conn.socket.end(); // PGlite cannot cancel; a real server just closes
      else if (code === PROTOCOL_3) {
        conn.started = true;
        conn.pending.push(buf.subarray(0, len));
      } else conn.socket.destroy();
      continue;
    }
    if (buf.length < 5) return;
    const len = 1 + buf.readInt32BE(1);
    if (buf.length < len) return;
    conn.pending.push(buf.subarray(0, len));
    conn.buffer = buf.subarray(len);
  }
}

export async function startEmbeddedPg(opts: {
  dataDir: string;
  port?: number;
}): Promise<{ url: string; port: number; close(): Promise<void> }> {
  // pg_trgm for the catalog's typo-tolerant search (migrations/0004_pg-trgm.sql); PGlite loads contrib modules per instance.
  const db = await PGlite.create({ dataDir: opts.dataDir, extensions: { pg_trgm } });
  const conns = new Set<Conn>();
  const waiting: Conn[] = [];
  let holder: Conn | null = null;
  let pumping: Promise<void> | null = null;
  let stopped = false;

  // Runs one batch at a time for the connection holding the session, handing it over when done.
  async function pump(): Promise<void> {
    while (!stopped) {
      if (holder?.gone) {
        holder = null;
        // Leave no half-finished extended protocol exchange or open transaction behind.
        await db.execProtocolRaw(SYNC);
        if (db.isInTransaction()) await db.execProtocolRaw(simpleQuery("ROLLBACK"));
        continue;
      }
      if (!holder) {
        holder = waiting.shift() ?? null;
        if (!holder) return;
      }
      const conn = holder;
      if (!conn.pending.length) return; // holder is mid-transaction; wait for its next message
      // A startup packet must go alone: PGlite detects it by its leading zero byte.
      const batch = conn.pending[0]?.[0] === 0 ? conn.pending.splice(0, 1) : conn.pending.splice(0);
      const terminate = batch.findIndex((m) => m[0] === 0x58); // 'X': PGlite ignores it, we close
      const messages = terminate >= 0 ? batch.slice(0, terminate) : batch;
      let out: Uint8Array = new Uint8Array(0);
      try {
        if (messages.length) out = await db.execProtocolRaw(Buffer.concat(messages));
      } catch (err) {
        conn.socket.destroy(err as Error);
        conn.gone = true;
        continue;
      }
      // Copy: PGlite may hand back a view of a buffer it reuses on the next call.
      if (out.length && !conn.socket.destroyed) conn.socket.write(Buffer.from(out));
      if (terminate >= 0) {
        conn.gone = true;
        conn.socket.end();
      } else if (finalReadyStatus(out) === "I") {
        holder = null;
        if (conn.pending.length) waiting.push(conn);
      }
    }
  }

  function kick(): void {
    if (stopped) return;
    pumping ??= pump()
      .catch((err: Error) => console.error("embedded-pg:", err))
      .finally(() => {
        pumping = null;
        if ((holder && (holder.gone || holder.pending.length)) || (!holder && waiting.length)) kick();
      });
  }

  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const conn: Conn = { socket, buffer: Buffer.alloc(0), pending: [], started: false, gone: false };
    conns.add(conn);
    socket.on("data", (chunk: Buffer) => {
      conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
      const before = conn.pending.length;
      takeMessages(conn);
      if (conn.pending.length > before && holder !== conn && !waiting.includes(conn)) waiting.push(conn);
      kick();
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      conns.delete(conn);
      conn.gone = true;
      conn.pending.length = 0;
      const i = waiting.indexOf(conn);
      if (i >= 0) waiting.splice(i, 1);
      kick();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async close() {
      stopped = true; // the database must not be touched once db.close() starts
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const c of conns) c.socket.destroy();
      await closed;
      while (pumping) await pumping;
      await db.close();
    },
  };
}
