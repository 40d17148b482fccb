// Runs the production clients (Neon Pool, @upstash/redis, @upstash/ratelimit) against the
// local stand-ins, backed by the real Postgres 15 and Redis 7 on this machine and by PGlite.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neonConfig, Pool } from "@neondatabase/serverless";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startEmbeddedPg } from "../../scripts/local/embedded-pg.ts";
import { startPgWsProxy } from "../../scripts/local/pg-ws-proxy.ts";
import { connectRedis, type RespConnection } from "../../scripts/local/resp.ts";
import { startUpstashRest } from "../../scripts/local/upstash-rest.ts";

const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const TOKEN = "local-test-token";
const SECRET = "proxy-secret-for-this-test-run";
const run = `${process.pid}-${Date.now()}`;

let proxy: Awaited<ReturnType<typeof startPgWsProxy>>;

beforeAll(async () => {
  proxy = await startPgWsProxy({ secret: SECRET });
  neonConfig.webSocketConstructor = WebSocket;
  neonConfig.wsProxy = (host, port) => `127.0.0.1:${proxy.port}/v1?address=${host}:${port}&key=${SECRET}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
});
afterAll(async () => {
  await proxy?.close();
});

describe("pg-ws-proxy", () => {
  it("runs an interactive transaction from the Neon Pool on PostgreSQL", async () => {
    const pool = new Pool({ connectionString: PG_URL, max: 2 });
    try {
      const client = await pool.connect();
      try {
        await client.query("CREATE TEMP TABLE ws_proxy_check (id int PRIMARY KEY, name text)");
        await client.query("BEGIN");
        await client.query("INSERT INTO ws_proxy_check VALUES ($1, $2)", [1, "kept"]);
        await client.query("COMMIT");
        await client.query("BEGIN");
        await client.query("INSERT INTO ws_proxy_check VALUES ($1, $2)", [2, "rolled back"]);
        await client.query("ROLLBACK");
        const { rows } = await client.query("SELECT id, name FROM ws_proxy_check ORDER BY id");
        expect(rows).toEqual([{ id: 1, name: "kept" }]);
        const version = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
        expect(Number(version.rows[0]?.v)).toBeGreaterThanOrEqual(150000);
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  }, 20_000);

  it("refuses targets outside loopback with close code 1008", async () => {
    for (const address of ["10.0.0.1:5432", "example.com:5432", "127.0.0.1.example.com:5432", "nonsense"]) {
      const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/v1?address=${address}&key=${SECRET}`);
      const code = await new Promise<number>((resolve) => ws.on("close", (c: number) => resolve(c)));
      expect(code, address).toBe(1008);
    }
  }, 10_000);

  // A web page can open ws://127.0.0.1:<port>/ and Postgres trusts loopback: without these checks
  // any page in the developer's browser could run SQL (#15).
  it("refuses a handshake without the run's secret, with a wrong one, or from a web page, before reaching Postgres", async () => {
    const target = `ws://127.0.0.1:${proxy.port}/v1?address=127.0.0.1:5432`;
    const attempts: [string, WebSocket.ClientOptions?][] = [
      [target],
      [`${target}&key=wrong-secret-of-the-same-size!`],
      [`${target}&key=${SECRET}`, { headers: { origin: "https://evil.example" } }],
      [`${target}&key=${SECRET}`, { headers: { origin: "null" } }],
    ];
    for (const [url, options] of attempts) {
      const ws = new WebSocket(url, options);
      const status = await new Promise<number>((resolve) => {
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => resolve(101));
        ws.on("error", () => {});
      });
      ws.terminate();
      expect(status, `${url} ${JSON.stringify(options)}`).toBe(403);
    }
  }, 10_000);
});

describe("upstash-rest", () => {
  let rest: Awaited<ReturnType<typeof startUpstashRest>>;
  let direct: RespConnection;
  const key = (name: string): string => `local-stack-test:${run}:${name}`;

  beforeAll(async () => {
    rest = await startUpstashRest({ redisUrl: REDIS_URL, token: TOKEN });
    direct = await connectRedis(REDIS_URL);
  });
  afterAll(async () => {
    if (direct) {
      const keys = await direct.command("KEYS", key("*"));
      if (Array.isArray(keys) && keys.length) await direct.command("DEL", ...(keys as Buffer[]));
      direct.close();
    }
    await rest?.close();
  });

  it("serves @upstash/redis commands, pipelines and transactions", async () => {
    const redis = new Redis({ url: rest.url, token: TOKEN });
    expect(await redis.set(key("s"), "héllo ✓", { ex: 10 })).toBe("OK");
    expect(await redis.get(key("s"))).toBe("héllo ✓");
    const ttl = await direct.command("TTL", key("s"));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10);
    expect((await direct.command("GET", key("s")))?.toString()).toBe("héllo ✓");

    expect(await redis.incr(key("n"))).toBe(1);
    expect(await redis.incr(key("n"))).toBe(2);

    const obj = { id: 7, tags: ["a", "b"], nested: { ok: true } };
    await redis.set(key("json"), obj);
    expect(await redis.get(key("json"))).toEqual(obj);
    expect(await redis.mget(key("s"), key("missing"), key("json"))).toEqual(["héllo ✓", null, obj]);

    const p = redis.pipeline();
    p.set(key("p"), "1");
    p.incrby(key("p"), 4);
    p.get(key("p"));
    p.lpush(key("list"), "x", "y");
    p.lrange(key("list"), 0, -1);
    expect(await p.exec()).toEqual(["OK", 5, 5, 2, ["y", "x"]]);

    const tx = redis.multi();
    tx.set(key("m"), "v");
    tx.get(key("m"));
    tx.hset(key("h"), { a: "1", b: "two" });
    tx.hgetall(key("h"));
    expect(await tx.exec()).toEqual(["OK", "v", 2, { a: 1, b: "two" }]);

    expect(await redis.del(key("s"), key("n"), key("missing"))).toBe(2);
    expect(await direct.command("EXISTS", key("s"))).toBe(0);
    await expect(redis.incr(key("json"))).rejects.toThrow(/not an integer/);
  }, 20_000);

  it("lets @upstash/ratelimit limit the 4th call in a sliding window", async () => {
    const redis = new Redis({ url: rest.url, token: TOKEN });
    const limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(3, "10 s"),
      prefix: key("rl"),
      ephemeralCache: false,
    });
    const results: boolean[] = [];
    for (let i = 0; i < 4; i++) results.push((await limiter.limit("user-1")).success);
    expect(results).toEqual([true, true, true, false]);
    expect((await limiter.limit("user-2")).success).toBe(true);
  }, 20_000);

  it("strips the #!lua shebang Redis 7.0 rejects and maps EVALSHA to the stripped script", async () => {
    const redis = new Redis({ url: rest.url, token: TOKEN });
    const sha1 = (text: string): string => createHash("sha1").update(text).digest("hex");
    const evaled = `#!lua flags=allow-key-locking\n-- ${run}\nreturn ARGV[1]`;
    await expect(redis.evalsha(sha1(evaled), [], ["x"])).rejects.toThrow(/NOSCRIPT/);
    expect(await redis.eval(evaled, [], ["x"])).toBe("x");
    expect(await redis.evalsha(sha1(evaled), [], ["y"])).toBe("y");
    const loaded = `#!lua flags=allow-key-locking\nreturn 'loaded ${run}'`;
    await redis.scriptLoad(loaded);
    expect(await redis.evalsha(sha1(loaded), [], [])).toBe(`loaded ${run}`);
  }, 10_000);

  it("rejects a wrong token", async () => {
    const redis = new Redis({ url: rest.url, token: "wrong", retry: false });
    await expect(redis.get(key("s"))).rejects.toThrow(/wrong local stack secret/);
    const res = await fetch(`${rest.url}/ping`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await res.json()).toEqual({ result: "PONG" });
  }, 10_000);

  it("refuses a request from a web page even with the right token (#15)", async () => {
    const res = await fetch(rest.url, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, origin: "https://evil.example" },
      body: JSON.stringify(["SET", key("page"), "pwned"]),
    });
    expect(res.status).toBe(403);
    expect(await direct.command("EXISTS", key("page"))).toBe(0);
  }, 10_000);

  it("answers 503 quickly while Redis is down and recovers when it is back", async () => {
    // A TCP forwarder on a fixed port plays a Redis that goes away and comes back.
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
    const port = (spare.address() as AddressInfo).port;
    await new Promise<void>((resolve) => spare.close(() => resolve()));
    const down = await startUpstashRest({ redisUrl: `redis://127.0.0.1:${port}`, token: TOKEN });
    let forwarder: Server | undefined;
    try {
      const call = (): Promise<Response> =>
        fetch(down.url, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: '["PING"]' });
      const started = Date.now();
      const res = await call();
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/Redis unavailable/);
      expect(Date.now() - started).toBeLessThan(1500);

      const target = new URL(REDIS_URL);
      forwarder = createServer((socket) => {
        const up = connect(Number(target.port || 6379), target.hostname);
        socket.pipe(up).pipe(socket);
        up.on("error", () => socket.destroy());
        socket.on("error", () => up.destroy());
      });
      await new Promise<void>((resolve) => forwarder?.listen(port, "127.0.0.1", resolve));
      const back = await call();
      expect(back.status).toBe(200);
      expect(await back.json()).toEqual({ result: "PONG" });
    } finally {
      await down.close();
      forwarder?.close();
    }
  }, 10_000);
});

describe("embedded-pg", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "embedded-pg-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("serialises concurrent Neon transactions correctly and persists data", async () => {
    let pg = await startEmbeddedPg({ dataDir: dir });
    const poolA = new Pool({ connectionString: pg.url, max: 3 });
    const poolB = new Pool({ connectionString: pg.url, max: 3 });
    try {
      await poolA.query("CREATE TABLE items (id int PRIMARY KEY, worker text NOT NULL, label text NOT NULL)");
      const loop = async (i: number): Promise<void> => {
        const client = await (i % 2 ? poolA : poolB).connect();
        try {
          await client.query("BEGIN");
          await client.query("INSERT INTO items (id, worker, label) VALUES ($1, $2, $3)", [
            i,
            i % 2 ? "a" : "b",
            `item-${i}`,
          ]);
          const { rows } = await client.query("SELECT id, worker, label FROM items WHERE id = $1", [i]);
          expect(rows).toEqual([{ id: i, worker: i % 2 ? "a" : "b", label: `item-${i}` }]);
          if (i % 5 === 0) {
            // An error inside a transaction leaves it aborted until ROLLBACK; others must still wait.
            await expect(
              client.query("INSERT INTO items (id, worker, label) VALUES ($1, 'x', 'dup')", [i]),
            ).rejects.toThrow(/duplicate key/);
            await client.query("ROLLBACK");
            await client.query("INSERT INTO items (id, worker, label) VALUES ($1, $2, $3)", [
              i,
              i % 2 ? "a" : "b",
              `item-${i}`,
            ]);
          } else {
            await client.query("COMMIT");
          }
        } finally {
          client.release();
        }
      };
      await Promise.all(Array.from({ length: 20 }, (_, i) => loop(i + 1)));

      // A client that vanishes mid-transaction must not leave the session locked or dirty.
      const doomed = await poolA.connect();
      await doomed.query("BEGIN");
      await doomed.query("INSERT INTO items VALUES (999, 'doomed', 'never')");
      doomed.release(new Error("drop this connection"));
      const { rows } = await poolB.query("SELECT count(*)::int AS n, max(id) AS top FROM items");
      expect(rows).toEqual([{ n: 20, top: 20 }]);
    } finally {
      await Promise.all([poolA.end(), poolB.end()]);
      await pg.close();
    }

    pg = await startEmbeddedPg({ dataDir: dir });
    const pool = new Pool({ connectionString: pg.url, max: 1 });
    try {
      const { rows } = await pool.query("SELECT count(*)::int AS n FROM items WHERE label = 'item-' || id");
      expect(rows).toEqual([{ n: 20 }]);
    } finally {
      await pool.end();
      await pg.close();
    }
  }, 90_000);
});
