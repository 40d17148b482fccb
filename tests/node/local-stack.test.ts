// Runs the production clients (the Neon driver over HTTP, @upstash/redis, @upstash/ratelimit)
// against the local stand-ins, backed by the real Postgres 15 and Redis 7 on this machine, and
// the embedded PGlite server the stand-in fronts when there is no Postgres.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPg } from "../../scripts/local/embedded-pg.ts";
import { startNeonHttp } from "../../scripts/local/neon-http.ts";
import { connectRedis, type RespConnection } from "../../scripts/local/resp.ts";
import { startUpstashRest } from "../../scripts/local/upstash-rest.ts";

const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const TOKEN = "local-test-token";
const SECRET = "neon-http-secret-for-this-test-run";
const run = `${process.pid}-${Date.now()}`;

let neonHttp: Awaited<ReturnType<typeof startNeonHttp>>;
const sql = (opts: { url?: string; key?: string } = {}) => {
  neonConfig.fetchEndpoint = neonHttp.url;
  return neon(opts.url ?? PG_URL, { authToken: opts.key ?? SECRET });
};

beforeAll(async () => {
  neonHttp = await startNeonHttp({ secret: SECRET, poolSize: 2 });
});
afterAll(async () => {
  await neonHttp?.close();
});

describe("neon-http (the stand-in for Neon's HTTP SQL endpoint)", () => {
  it("answers the driver's queries and batches, a batch being one transaction", async () => {
    const db = sql();
    expect(await db.query("SELECT $1::int + 1 AS n, 'x'::text AS s, NULL::int AS nothing", [41])).toEqual([
      { n: 42, s: "x", nothing: null },
    ]);
    const table = `neon_http_check_${run.replace(/\W/g, "_")}`;
    await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text NOT NULL)`);
    try {
      const [, , rows] = await db.transaction([
        db.query(`INSERT INTO ${table} VALUES (1, 'kept')`),
        db.query(`INSERT INTO ${table} VALUES (2, 'also kept')`),
        db.query(`SELECT id, name FROM ${table} ORDER BY id`),
      ]);
      expect(rows).toEqual([
        { id: 1, name: "kept" },
        { id: 2, name: "also kept" },
      ]);
      // A failing statement rolls the whole batch back, with Postgres's own error fields.
      const failed = await db
        .transaction([
          db.query(`INSERT INTO ${table} VALUES (3, 'rolled back')`),
          db.query(`INSERT INTO ${table} VALUES (1, 'duplicate')`),
        ])
        .catch((e: unknown) => e as { code?: string; constraint?: string });
      expect(failed).toMatchObject({ code: "23505", constraint: `${table}_pkey` });
      expect(await db.query(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 2 }]);
    } finally {
      await db.query(`DROP TABLE ${table}`);
    }
  }, 20_000);

  it("runs a tagged request under its application_name and counts its round trips", async () => {
    const tag = `tag-${run}`;
    const url = new URL(PG_URL);
    url.searchParams.set("application_name", tag);
    const tagged = sql({ url: url.toString() });
    expect(await tagged.query("SELECT current_setting('application_name') AS app")).toEqual([{ app: tag }]);
    await tagged.transaction([tagged.query("SELECT 1"), tagged.query("SELECT 2")]);
    expect(neonHttp.trips(tag)).toBe(2);
  });

  it("prepares a statement once per connection, and runs it afresh when a migration changed its columns", async () => {
    const db = sql();
    const table = `neon_http_prepared_${run.replace(/\W/g, "_")}`;
    await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY)`);
    try {
      await db.query(`INSERT INTO ${table} VALUES (1)`);
      const read = () => db.query(`SELECT * FROM ${table} WHERE id = $1`, [1]);
      // Both kept connections run it, so both hold it prepared.
      expect(await Promise.all([read(), read()])).toEqual([[{ id: 1 }], [{ id: 1 }]]);
      await db.query(`ALTER TABLE ${table} ADD COLUMN name text NOT NULL DEFAULT 'x'`);
      // The connections that hold the old plan are replaced and the request runs again: no failure.
      expect(await Promise.all([read(), read()])).toEqual([[{ id: 1, name: "x" }], [{ id: 1, name: "x" }]]);
    } finally {
      await db.query(`DROP TABLE ${table}`);
    }
  });

  it("serves loopback databases only", async () => {
    const far = sql({ url: "postgres://postgres@10.0.0.1:5432/postgres" });
    await expect(far.query("SELECT 1")).rejects.toThrow(/HTTP status 403/);
  });

  // A web page can post to http://127.0.0.1:<port>/ and Postgres trusts loopback (#15).
  it("refuses a request without the run's secret, with a wrong one, or from a web page", async () => {
    await expect(sql({ key: "wrong-secret-of-some-length" }).query("SELECT 1")).rejects.toThrow(/HTTP status 401/);
    const fromPage = await fetch(neonHttp.url, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, origin: "https://evil.example", "neon-connection-string": PG_URL },
      body: JSON.stringify({ query: "SELECT 1", params: [] }),
    });
    expect(fromPage.status).toBe(403);
    const bare = await fetch(neonHttp.url, {
      method: "POST",
      headers: { "neon-connection-string": PG_URL },
      body: '{"query":"SELECT 1"}',
    });
    expect(bare.status).toBe(401);
  });
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

  it("serialises concurrent transactions correctly and persists data", async () => {
    let server = await startEmbeddedPg({ dataDir: dir });
    const poolA = new pg.Pool({ connectionString: server.url, max: 3 });
    const poolB = new pg.Pool({ connectionString: server.url, max: 3 });
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
      await server.close();
    }

    server = await startEmbeddedPg({ dataDir: dir });
    const pool = new pg.Pool({ connectionString: server.url, max: 1 });
    try {
      const { rows } = await pool.query("SELECT count(*)::int AS n FROM items WHERE label = 'item-' || id");
      expect(rows).toEqual([{ n: 20 }]);
    } finally {
      await pool.end();
      await server.close();
    }
  }, 90_000);
});
