// Real processes and sockets to break on purpose, for the fault tests (tests/e2e/faults-*.test.ts).
// Never the machine's shared Redis on 6379 or PostgreSQL on 5432: other test files use them at the
// same time. Each fault test starts its own Redis child and its own forwarder in front of Postgres.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../scripts/lib/free-port.ts";
import { connectRedis } from "../../scripts/local/resp.ts";

export const redisServerInstalled = (): boolean => {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

export interface RedisChild {
  port: number;
  url: string;
  start(): Promise<void>;
  /** SIGTERM, and waits until the process is gone (its port refuses connections). */
  stop(): Promise<void>;
}

/** A `redis-server` child of this test on a random port: no persistence, so a restart comes back empty. */
export async function startRedisChild(): Promise<RedisChild> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "fault-redis-"));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const ping = async () => {
    const conn = await connectRedis(url, 200);
    try {
      return (await conn.send([["PING"]]))[0] === "PONG";
    } finally {
      conn.close();
    }
  };

  const handle: RedisChild = {
    port,
    url,
    async start() {
      child = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
        {
          stdio: "ignore",
        },
      );
      for (let i = 0; i < 100; i++) {
        if (await ping().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`redis-server did not start on port ${port}`);
    },
    async stop() {
      const proc = child;
      child = null;
      if (!proc || proc.exitCode !== null) return;
      const gone = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGTERM");
      await gone;
    },
  };
  await handle.start();
  process.once("exit", () => {
    child?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  return handle;
}

export type ForwarderMode = "up" | "down" | "blackhole";

export interface Forwarder {
  port: number;
  mode(): ForwarderMode;
  /**
   * up: pipes each connection to the target. down: nothing listens (connection refused).
   * blackhole: connections are accepted and held, no byte ever answered (a hung server).
   * Leaving "up" cuts every open connection, as a crashed or partitioned server would.
   */
  set(mode: ForwarderMode): Promise<void>;
  close(): Promise<void>;
}

/** A TCP forwarder on a fixed loopback port in front of `targetPort`, switched between modes. */
export async function startForwarder(targetPort: number): Promise<Forwarder> {
  const port = await freePort();
  const open = new Set<Socket>();
  let current: ForwarderMode = "down";
  let server: Server | null = null;

  const track = (s: Socket) => {
    // Without it Nagle and delayed ACKs hold each small protocol message for ~40 ms.
    s.setNoDelay(true);
    open.add(s);
    s.on("close", () => open.delete(s));
    s.on("error", () => s.destroy());
  };

  const listen = async () => {
    server = createServer((client) => {
      track(client);
      if (current === "blackhole") return;
      const upstream = connect({ host: "127.0.0.1", port: targetPort });
      track(upstream);
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(port, "127.0.0.1", resolve);
    });
  };

  const stopListening = async () => {
    const s = server;
    server = null;
    if (s) await new Promise((resolve) => s.close(resolve));
  };

  const forwarder: Forwarder = {
    port,
    mode: () => current,
    async set(mode) {
      if (mode === current) return;
      for (const s of open) s.destroy();
      open.clear();
      const listening = current !== "down";
      current = mode;
      if (mode === "down") await stopListening();
      else if (!listening) await listen();
    },
    async close() {
      await forwarder.set("down");
    },
  };
  await forwarder.set("up");
  return forwarder;
}

/**
 * A Worker's vars with its Postgres reached through a forwarder (set it down to cut Postgres) and
 * the Neon endpoint `proxyUrl` (a stand-in of the test's own, so it can be taken down too).
 */
export async function behindForwarder(
  vars: Record<string, string>,
  proxyUrl: string,
): Promise<{ vars: Record<string, string>; forwarder: Forwarder }> {
  const url = new URL(vars.DATABASE_URL!);
  const forwarder = await startForwarder(Number(url.port || 5432));
  url.port = String(forwarder.port);
  return { vars: { ...vars, DATABASE_URL: url.toString(), NEON_SQL_ENDPOINT: proxyUrl }, forwarder };
}

/** Waits for `check` to be true, polling, or fails after `ms`. */
export async function eventually(check: () => Promise<boolean>, ms = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not reached within ${ms} ms`);
}
