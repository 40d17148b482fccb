// A webhook receiver on loopback, as a merchant's system would run one: it verifies each request
// with the `standardwebhooks` package against the secrets it was told, records what it got, and
// answers as each path's behaviour says.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface Received {
  path: string;
  id: string;
  headers: Record<string, string>;
  body: string;
  payload: { id: string; type: string; timestamp: string; data: Record<string, unknown> };
  /** Which of the path's secrets verified the request (by index); empty when none did. */
  verifiedBy: number[];
}

/** 200, always 500, 500 on each id's first attempt only, a first attempt that never answers, or a redirect. */
export type Behaviour =
  | { kind: "ok" }
  | { kind: "fail" }
  | { kind: "flaky" }
  | { kind: "hang" }
  | { kind: "slow"; ms: number }
  | { kind: "redirect"; location: string };

export interface Receiver {
  url: string;
  got: Received[];
  /** What `path` answers, and the secrets its requests are verified with. */
  on(path: string, behaviour: Behaviour, secrets?: string[]): void;
  secrets(path: string, secrets: string[]): void;
  at(path: string): Received[];
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startReceiver(): Promise<Receiver> {
  const got: Received[] = [];
  const behaviours = new Map<string, Behaviour>();
  const keys = new Map<string, string[]>();
  const held: ServerResponse[] = [];
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const body = await bodyOf(req);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const verifiedBy = (keys.get(path) ?? []).flatMap((secret, i) => {
      try {
        new Webhook(secret).verify(body, headers);
        return [i];
      } catch {
        return [];
      }
    });
    const id = headers["webhook-id"] ?? "";
    const earlier = got.filter((r) => r.path === path && r.id === id).length;
    got.push({ path, id, headers, body, payload: body ? JSON.parse(body) : null, verifiedBy });
    const behaviour = behaviours.get(path) ?? { kind: "ok" };
    if (behaviour.kind === "fail" || (behaviour.kind === "flaky" && earlier === 0)) {
      res.writeHead(500).end("receiver failed");
    } else if (behaviour.kind === "hang" && earlier === 0) {
      held.push(res);
    } else if (behaviour.kind === "slow") {
      setTimeout(() => res.writeHead(200).end("ok"), behaviour.ms);
    } else if (behaviour.kind === "redirect") {
      res.writeHead(302, { location: behaviour.location }).end();
    } else {
      res.writeHead(200).end("ok");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    got,
    on(path, behaviour, secrets) {
      behaviours.set(path, behaviour);
      if (secrets) keys.set(path, secrets);
    },
    secrets: (path, secrets) => keys.set(path, secrets),
    at: (path) => got.filter((r) => r.path === path),
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
