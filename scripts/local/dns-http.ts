// Local stand-in for a DNS-over-HTTPS resolver (the JSON API of https://cloudflare-dns.com/dns-query),
// which the Worker asks to check a webhook host's addresses (src/webhooks/resolve.ts). It answers
// `GET /dns-query?name=&type=A|AAAA` from this machine's own resolver (so /etc/hosts and
// `localhost` work in development), or, for tests, from a fixed table of names.
import { promises as dns } from "node:dns";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isIPv4, isIPv6 } from "node:net";
import { refusal } from "./guard.ts";

export interface DnsHttp {
  /** The endpoint's full URL (`WEBHOOK_DNS_URL`). */
  url: string;
  close(): Promise<void>;
}

const TYPES = { A: 1, AAAA: 28 } as const;
const NOERROR = 0;
const NXDOMAIN = 3;
const SERVFAIL = 2;

/** The addresses of `name` of one family, from the table when it names it, else the system's resolver. */
async function addresses(
  name: string,
  type: keyof typeof TYPES,
  names: Map<string, string[]>,
): Promise<string[] | null> {
  const family = type === "A" ? isIPv4 : isIPv6;
  const fixed = names.get(name);
  if (fixed) return fixed.filter((ip) => family(ip));
  try {
    const found = await dns.lookup(name, { all: true, family: type === "A" ? 4 : 6 });
    return found.map((f) => f.address);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // No name at all, or no address of this family: both are an answer, not a failure.
    if (code === "ENOTFOUND" || code === "ENODATA") return code === "ENOTFOUND" ? null : [];
    throw err;
  }
}

export async function startDnsHttp(options: {
  secret: string;
  names?: Record<string, string[]>;
  port?: number;
}): Promise<DnsHttp> {
  const names = new Map(Object.entries(options.names ?? {}).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ""), v]));
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/dns-json" }).end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const why = refusal(req, options.secret, /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1]);
    if (why) return send(res, req.headers.origin !== undefined ? 403 : 401, { error: why });
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const name = (url.searchParams.get("name") ?? "").toLowerCase().replace(/\.$/, "");
    const type = (url.searchParams.get("type") ?? "A").toUpperCase();
    if (req.method !== "GET" || url.pathname !== "/dns-query") return send(res, 404, { error: "not found" });
    if (!name || !(type in TYPES)) return send(res, 400, { error: "name and type=A|AAAA are required" });
    const code = TYPES[type as keyof typeof TYPES];
    try {
      const found = await addresses(name, type as keyof typeof TYPES, names);
      if (found === null) return send(res, 200, { Status: NXDOMAIN, Question: [{ name, type: code }] });
      const Answer = found.map((data) => ({ name, type: code, TTL: 60, data }));
      return send(res, 200, { Status: NOERROR, Question: [{ name, type: code }], Answer });
    } catch {
      return send(res, 200, { Status: SERVFAIL, Question: [{ name, type: code }] });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { error: "resolver stand-in failed" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dns-query`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
