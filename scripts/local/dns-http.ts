// Local stand-in for a DNS-over-HTTPS resolver (the JSON API of https://cloudflare-dns.com/dns-query),
// which the Worker asks to check a webhook host's addresses (src/webhooks/resolve.ts). It answers
// `GET /dns-query?name=&type=A|AAAA` from a table of names (tests), else from this machine's own
// resolver, so /etc/hosts and `localhost` work in development.
import { promises as dns } from "node:dns";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, isIPv4, isIPv6 } from "node:net";
import { isLoopback, refusal } from "./guard.ts";

export interface DnsHttp {
  /** The endpoint's full URL (`WEBHOOK_DNS_URL`), `http://127.0.0.1:PORT/dns-query`. */
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, { code: number; family: (ip: string) => boolean }> = {
  A: { code: 1, family: isIPv4 },
  AAAA: { code: 28, family: isIPv6 },
};
const NOERROR = 0;
const SERVFAIL = 2;
const NXDOMAIN = 3;

const canonical = (name: string) => name.toLowerCase().replace(/\.$/, "");

/** Every address of `name`, or null when there is no such name. */
async function lookup(name: string, table: Record<string, string[]>): Promise<string[] | null> {
  // Read at each request, so a test may change the table between two (a name that rebinds).
  const fixed = Object.entries(table).find(([k]) => canonical(k) === name);
  if (fixed) return fixed[1].length > 0 ? fixed[1] : null;
  try {
    return (await dns.lookup(name, { all: true })).map((a) => a.address);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTFOUND") return null;
    if (code === "ENODATA") return [];
    throw err;
  }
}

/**
 * Serves DoH JSON on 127.0.0.1. A name in `names` (case and a trailing dot ignored) answers its
 * addresses, the IPv4 ones to A and the IPv6 ones to AAAA, and an empty list as NXDOMAIN.
 */
export async function startDnsHttp(options: {
  secret: string;
  names?: Record<string, string[]>;
  port?: number;
}): Promise<DnsHttp> {
  const table = options.names ?? {};

  async function answer(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const why = refusal(req, options.secret, /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1]);
    if (why) return { status: req.headers.origin !== undefined ? 403 : 401, body: { error: why } };
    // A page that rebinds its own name to 127.0.0.1 still names itself in Host.
    const host = new URL(`http://${req.headers.host ?? "invalid"}`).hostname;
    if (!isLoopback(host)) return { status: 403, body: { error: "only requests addressed to loopback are served" } };
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/dns-query") return { status: 404, body: { error: "not found" } };
    if (req.method !== "GET") return { status: 405, body: { error: "only GET is served" } };
    const name = canonical(url.searchParams.get("name") ?? "");
    const type = TYPES[(url.searchParams.get("type") ?? "A").toUpperCase()];
    if (!name || !type) return { status: 400, body: { error: "name and type=A|AAAA are required" } };
    const question = [{ name, type: type.code }];
    let found: string[] | null;
    try {
      found = await lookup(name, table);
    } catch {
      return { status: 200, body: { Status: SERVFAIL, Question: question } };
    }
    if (found === null) return { status: 200, body: { Status: NXDOMAIN, Question: question } };
    const Answer = found.filter(type.family).map((data) => ({ name, type: type.code, TTL: 0, data }));
    return { status: 200, body: { Status: NOERROR, Question: question, ...(Answer.length ? { Answer } : {}) } };
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    answer(req)
      .catch((err: Error) => ({ status: 500, body: { error: err.message } }))
      .then(({ status, body }) => {
        res.writeHead(status, { "content-type": "application/dns-json" });
        res.end(JSON.stringify(body));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/dns-query`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
