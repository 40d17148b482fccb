// The proxy's opt-in message counter (used by `npm run bench` to count round trips).
import { neonConfig, Pool } from "@neondatabase/serverless";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { PgClientScanner } from "../../scripts/local/pg-messages.ts";
import { startPgWsProxy } from "../../scripts/local/pg-ws-proxy.ts";

const PG_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const untyped = (code: number, body = Buffer.alloc(0)) => Buffer.concat([int32(8 + body.length), int32(code), body]);
const typed = (type: string, body = Buffer.alloc(0)) =>
  Buffer.concat([Buffer.from(type), int32(4 + body.length), body]);

// SSLRequest probe, startup, a simple query, then an extended-protocol batch ending in Sync.
const stream = Buffer.concat([
  untyped(80877103),
  untyped(196608, Buffer.from("user\0postgres\0\0")),
  typed("Q", Buffer.from("select 'S', 'Q'\0")),
  typed("P", Buffer.from("\0select $1\0\0\0")),
  typed("B", Buffer.alloc(12)),
  typed("D", Buffer.from("P\0")),
  typed("E", Buffer.alloc(5)),
  typed("S"),
  typed("X"),
]);

describe("PgClientScanner", () => {
  it("counts messages by type, whatever the chunking, without reading bodies as messages", () => {
    for (const size of [1, 3, 7, stream.length]) {
      const scanner = new PgClientScanner();
      for (let i = 0; i < stream.length; i += size) scanner.push(stream.subarray(i, i + size));
      expect(scanner.counts).toEqual({ startups: 1, queries: 1, syncs: 1, messages: 9 });
    }
  });
});

describe("pg-ws-proxy countMessages", () => {
  it("is off by default and counts one Sync per extended query and one Query per simple one when on", async () => {
    const plain = await startPgWsProxy({ secret: "pg-messages-test-secret" });
    expect(plain.traffic()).toBeNull();
    await plain.close();

    const proxy = await startPgWsProxy({ secret: "pg-messages-test-secret", countMessages: true });
    neonConfig.webSocketConstructor = WebSocket;
    neonConfig.wsProxy = (host, port) =>
      `127.0.0.1:${proxy.port}/v1?address=${host}:${port}&key=pg-messages-test-secret`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
    const pool = new Pool({ connectionString: PG_URL, max: 1 });
    try {
      const client = await pool.connect();
      const before = proxy.traffic()!;
      await client.query("SELECT 1"); // simple protocol: Query
      await client.query("SELECT $1::int AS n", [2]); // extended: Parse/Bind/Describe/Execute/Sync
      await client.query("SELECT $1::int AS n", [3]);
      const after = proxy.traffic()!;
      expect(after.queries - before.queries).toBe(1);
      expect(after.syncs - before.syncs).toBe(2);
      expect(after).toMatchObject({ connections: 1, open: 1, startups: 1 });
      client.release();
    } finally {
      await pool.end();
    }
    await expect.poll(() => proxy.traffic()!.open).toBe(0);
    expect(proxy.traffic()).toMatchObject({ connections: 1, startups: 1, queries: 1, syncs: 2 });
    await proxy.close();
  }, 20_000);
});
