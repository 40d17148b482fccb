// A TCP forwarder on loopback that holds every chunk for half the round-trip time, each way: a
// link as long as the one from an edge location to the database's region. Placed in front of the
// local Neon and Upstash stand-ins (which sit next to Postgres and Redis, as Neon's proxy and
// Upstash do), so every HTTP request from the Worker pays the distance once, as in production.
import { type AddressInfo, connect, createServer, type Socket } from "node:net";

export interface Delay {
  port: number;
  close(): Promise<void>;
}

/** Forwards `127.0.0.1:<port>` to `target` with `rttMs / 2` added to each direction, order kept. */
export async function startDelay(target: { host: string; port: number }, rttMs: number): Promise<Delay> {
  const half = rttMs / 2;
  const sockets = new Set<Socket>();
  const pipe = (from: Socket, to: Socket) => {
    from.on("data", (chunk) => {
      // One timer per chunk: chunks leave in order because they all wait the same time.
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, half);
    });
    from.on("end", () => setTimeout(() => to.end(), half));
    from.on("error", () => to.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
