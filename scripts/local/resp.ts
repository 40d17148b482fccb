// A minimal RESP2 client over node:net, enough for the local Upstash stand-in and for
// tests that check what really landed in Redis. Written here to avoid a Redis dependency.
import { connect, type Socket } from "node:net";

export class RespError extends Error {}

// Bulk strings stay Buffers so callers can base64 the exact bytes; simple strings are text.
export type RespValue = string | Buffer | number | null | RespError | RespValue[];
export type RespArg = string | number | Buffer;

type Parsed = { value: RespValue; end: number } | undefined;

// Returns undefined when the buffer does not yet hold a whole reply.
function parse(buf: Buffer, start: number): Parsed {
  const eol = buf.indexOf("\r\n", start);
  if (eol < 0) return undefined;
  const line = buf.toString("utf8", start + 1, eol);
  const next = eol + 2;
  switch (buf[start]) {
    case 0x2b:
      return { value: line, end: next }; // +
    case 0x2d:
      return { value: new RespError(line), end: next }; // -
    case 0x3a:
      return { value: Number(line), end: next }; // :
    case 0x24: {
      // $
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return undefined;
      return { value: buf.subarray(next, next + len), end: next + len + 2 };
    }
    case 0x2a: {
      // *
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let pos = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, pos);
        if (!item) return undefined;
        items.push(item.value);
        pos = item.end;
      }
      return { value: items, end: pos };
    }
    default:
      throw new Error(`RESP: unexpected byte ${buf[start]}`);
  }
}

export function encodeCommand(args: readonly RespArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const data = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${data.length}\r\n`), data, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

type Pending = { resolve: (v: RespValue) => void; reject: (e: Error) => void };

export class RespConnection {
  readonly socket: Socket;
  closed = false;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending[] = [];

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => this.fail(err));
    socket.on("close", () => this.fail(new Error("Redis connection closed")));
  }

  // Replies come back in command order, so a FIFO of promises is all the bookkeeping needed.
  send(commands: readonly (readonly RespArg[])[]): Promise<RespValue[]> {
    if (this.closed) return Promise.reject(new Error("Redis connection closed"));
    const replies = commands.map(
      () => new Promise<RespValue>((resolve, reject) => this.pending.push({ resolve, reject })),
    );
    this.socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(replies);
  }

  async command(...args: RespArg[]): Promise<RespValue> {
    const [reply = null] = await this.send([args]);
    if (reply instanceof RespError) throw reply;
    return reply;
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      let item: Parsed;
      try {
        item = parse(this.buffer, pos);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      if (!item) break;
      pos = item.end;
      this.pending.shift()?.resolve(item.value);
    }
    // Copy the remainder so a large finished reply is not kept alive by a small tail.
    this.buffer = pos === this.buffer.length ? Buffer.alloc(0) : Buffer.from(this.buffer.subarray(pos));
  }

  private fail(err: Error): void {
    this.closed = true;
    this.socket.destroy();
    for (const p of this.pending.splice(0)) p.reject(err);
  }
}

// redis://[user:password@]host:port[/db]; AUTH and SELECT run before the connection is handed out.
export function connectRedis(redisUrl: string, timeoutMs = 1000): Promise<RespConnection> {
  const url = new URL(redisUrl);
  const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 6379) });
  socket.setNoDelay(true);
  return new Promise<RespConnection>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`Redis connect timeout after ${timeoutMs} ms (${url.host})`));
    }, timeoutMs);
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      const conn = new RespConnection(socket);
      const setup: RespArg[][] = [];
      const password = decodeURIComponent(url.password);
      if (password)
        setup.push(url.username ? ["AUTH", decodeURIComponent(url.username), password] : ["AUTH", password]);
      const db = url.pathname.replace(/^\//, "");
      if (db && db !== "0") setup.push(["SELECT", db]);
      if (!setup.length) return resolve(conn);
      conn.send(setup).then((replies) => {
        const err = replies.find((r) => r instanceof RespError);
        if (err) {
          conn.close();
          reject(err);
        } else resolve(conn);
      }, reject);
    });
  });
}
