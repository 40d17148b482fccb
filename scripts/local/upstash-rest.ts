// Local stand-in for the Upstash REST API in front of a real Redis, so @upstash/redis and
// @upstash/ratelimit run unchanged in dev and tests. Only what those clients send is covered.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { refusal } from "./guard.ts";
import { connectRedis, type RespConnection, RespError, type RespValue } from "./resp.ts";

const POOL_MAX = 8;
// These change connection state; on pooled connections that state would leak into other requests.
const REFUSED = new Set([
  "SELECT",
  "AUTH",
  "HELLO",
  "QUIT",
  "RESET",
  "MONITOR",
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
]);

class HttpError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

class Pool {
  private idle: RespConnection[] = [];
  private size = 0;
  private waiters: (() => void)[] = [];
  private redisUrl: string;
  private closed = false;
  constructor(redisUrl: string) {
    this.redisUrl = redisUrl;
  }

  // Connections are made lazily, so a Redis that comes back is picked up by the next request.
  async acquire(): Promise<RespConnection> {
    if (this.closed) throw new HttpError(503, "server closing");
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (!c.closed) return c;
      this.size--;
    }
    if (this.size >= POOL_MAX) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      return this.acquire();
    }
    this.size++;
    try {
      return await connectRedis(this.redisUrl, 1000);
    } catch (err) {
      this.release(null);
      throw new HttpError(503, `Redis unavailable: ${(err as Error).message}`);
    }
  }

  // null: a connection that never opened gives its slot back.
  release(conn: RespConnection | null): void {
    if (conn && !conn.closed && !this.closed) this.idle.push(conn);
    else {
      conn?.close();
      this.size--;
    }
    this.waiters.shift()?.();
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) c.close();
    for (const wake of this.waiters.splice(0)) wake();
  }
}

const sha1 = (text: string): string => createHash("sha1").update(text).digest("hex");

// Redis 7.0 rejects the `#!lua flags=allow-key-locking` shebang the ratelimit scripts carry,
// so scripts go to Redis without it and EVALSHA of the client's hash is mapped to ours.
function rewrite(cmd: string[], shas: Map<string, string>): string[] {
  const [head = "", arg1, ...rest] = cmd;
  if (arg1 === undefined) return cmd;
  const strip = (script: string): string => {
    const stripped = script.startsWith("#!lua") ? script.slice(script.indexOf("\n") + 1) : script;
    shas.set(sha1(script), sha1(stripped));
    return stripped;
  };
  const name = head.toUpperCase();
  if (name === "EVAL" || name === "EVAL_RO") return [head, strip(arg1), ...rest];
  if (name === "EVALSHA" || name === "EVALSHA_RO") return [head, shas.get(arg1) ?? arg1, ...rest];
  if (name === "SCRIPT" && arg1.toUpperCase() === "LOAD" && rest[0] !== undefined) return [head, arg1, strip(rest[0])];
  return cmd;
}

function toCommand(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new HttpError(400, "command must be a non-empty JSON array");
  const cmd = value.map((v: unknown) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)));
  if (REFUSED.has(String(cmd[0]).toUpperCase()))
    throw new HttpError(400, `ERR command ${cmd[0]} is not supported here`);
  return cmd;
}

// Upstash-Encoding: base64 means every string, simple or bulk, at any depth, is base64.
function toJson(value: RespValue, b64: boolean): unknown {
  if (Buffer.isBuffer(value)) return value.toString(b64 ? "base64" : "utf8");
  if (typeof value === "string") return b64 ? Buffer.from(value).toString("base64") : value;
  if (value instanceof RespError) return value.message;
  if (Array.isArray(value)) return value.map((v) => toJson(v, b64));
  return value;
}

const entry = (value: RespValue, b64: boolean): { result: unknown } | { error: string } =>
  value instanceof RespError ? { error: value.message } : { result: toJson(value, b64) };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The first segment of a key (`name:` in `name:rest`), by which tests count one request's trips. */
const KEY_PREFIX = /^([\w.-]+):/;

export interface UpstashRest {
  url: string;
  port: number;
  /** Requests so far whose commands named a key starting with `prefix:` (tests give a request its own REDIS_PREFIX). */
  trips(prefix: string): number;
  close(): Promise<void>;
}

export async function startUpstashRest(opts: { redisUrl: string; token: string; port?: number }): Promise<UpstashRest> {
  const pool = new Pool(opts.redisUrl);
  const shas = new Map<string, string>();
  const byPrefix = new Map<string, number>();

  function count(commands: string[][]): void {
    const prefixes = new Set(commands.flatMap((c) => c.slice(1).flatMap((arg) => KEY_PREFIX.exec(arg)?.[1] ?? [])));
    for (const p of prefixes) byPrefix.set(p, (byPrefix.get(p) ?? 0) + 1);
  }

  async function handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const why = refusal(req, opts.token, /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1]);
    if (why) throw new HttpError(req.headers.origin !== undefined ? 403 : 401, why);
    const b64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new HttpError(400, "body is not valid JSON");
    }
    const batch = path === "/pipeline" || path === "/multi-exec";
    let commands: string[][];
    if (batch) {
      if (!Array.isArray(body) || body.length === 0) throw new HttpError(400, "body must be an array of commands");
      commands = body.map(toCommand);
    } else if (path === "/") commands = [toCommand(body)];
    else
      commands = [
        toCommand([...path.split("/").filter(Boolean).map(decodeURIComponent), ...(body === undefined ? [] : [body])]),
      ];
    commands = commands.map((c) => rewrite(c, shas));
    count(commands);

    const conn = await pool.acquire();
    try {
      const wrapped = path === "/multi-exec" ? [["MULTI"], ...commands, ["EXEC"]] : commands;
      const replies = await conn.send(wrapped).catch((err: Error) => {
        throw new HttpError(503, `Redis unavailable: ${err.message}`);
      });
      if (path === "/multi-exec") {
        const exec = replies[replies.length - 1];
        if (exec instanceof RespError || !Array.isArray(exec))
          throw new HttpError(400, exec instanceof RespError ? exec.message : "EXEC failed");
        return { status: 200, body: exec.map((r) => entry(r, b64)) };
      }
      if (batch) return { status: 200, body: replies.map((r) => entry(r, b64)) };
      const single = entry(replies[0] ?? null, b64);
      return { status: "error" in single ? 400 : 200, body: single };
    } finally {
      pool.release(conn);
    }
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === "/__trips") {
      const why = refusal(req, opts.token, /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1]);
      res.writeHead(why ? 403 : 200, { "content-type": "application/json" });
      res.end(
        JSON.stringify(why ? { error: why } : { trips: byPrefix.get(url.searchParams.get("prefix") ?? "") ?? 0 }),
      );
      return;
    }
    handle(req)
      .catch((err: Error) => ({ status: err instanceof HttpError ? err.status : 500, body: { error: err.message } }))
      .then(({ status, body }) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    trips: (prefix) => byPrefix.get(prefix) ?? 0,
    async close() {
      pool.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
