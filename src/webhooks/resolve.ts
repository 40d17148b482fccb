// A webhook host is checked after resolution: every address its name resolves to must be
// public. Workers have no resolver API, so names are resolved over DNS-over-HTTPS (JSON), from
// Cloudflare's resolver in production and from a stand-in on loopback locally (scripts/local/dns-http.ts).
import * as z from "zod";
import { blockedAddress, checkUrl, isLoopbackAddress, REASONS, type UrlCheck, type UrlPolicy } from "./address.ts";

export const PUBLIC_RESOLVER = "https://cloudflare-dns.com/dns-query";

/** A DNS-over-HTTPS endpoint speaking the JSON API (`application/dns-json`). */
export interface Resolver {
  url: string;
  /** Sent as a bearer token: the local stand-in's per-run secret. */
  key?: string;
  /** Per query; 3000 ms unless set. */
  timeoutMs?: number;
}

const TYPES = { A: 1, AAAA: 28 } as const;
const NOERROR = 0;
const NXDOMAIN = 3;

// Only the fields read; CNAME records (type 5) and any others come along and are skipped.
const dnsJson = z.object({
  Status: z.number(),
  Answer: z.array(z.object({ type: z.number(), data: z.string() })).optional(),
});

async function query(name: string, type: keyof typeof TYPES, resolver: Resolver, fetchImpl: typeof fetch) {
  const url = new URL(resolver.url);
  url.searchParams.set("name", name);
  url.searchParams.set("type", type);
  const timeoutMs = resolver.timeoutMs ?? 3000;
  let res: Response;
  try {
    res = await fetchImpl(url, {
      headers: { accept: "application/dns-json", ...(resolver.key ? { authorization: `Bearer ${resolver.key}` } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    throw new Error(
      timedOut
        ? `DNS resolver ${url.host} did not answer within ${timeoutMs} ms`
        : `DNS resolver ${url.host} unreachable: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`DNS resolver ${url.host} answered HTTP ${res.status} for ${name} ${type}`);
  }
  const parsed = dnsJson.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new Error(`DNS resolver ${url.host} sent an answer that is not DNS JSON`);
  const { Status, Answer = [] } = parsed.data;
  if (Status === NXDOMAIN) return [];
  // SERVFAIL, REFUSED …: the resolver could not say, which is not the same as "no such name".
  if (Status !== NOERROR) throw new Error(`DNS resolver ${url.host} answered status ${Status} for ${name} ${type}`);
  return Answer.filter((r) => r.type === TYPES[type]).map((r) => r.data);
}

/**
 * Every A and AAAA address of `name` (asked in parallel); none for a name that does not exist or
 * has no address. Throws when the resolver fails: unreachable, not 200, no answer in time.
 */
export async function resolveHost(
  name: string,
  resolver: Resolver,
  fetchImpl: typeof fetch = fetch,
): Promise<string[]> {
  const [v4, v6] = await Promise.all([query(name, "A", resolver, fetchImpl), query(name, "AAAA", resolver, fetchImpl)]);
  return [...new Set([...v4, ...v6])];
}

/**
 * `checkUrl`, then for a name every address it resolves to: one private address is enough to
 * refuse (a name with both kinds would reach the private one on some attempts). Loopback passes
 * only under `allowLoopback`, where `localhost` names are taken as loopback without asking.
 * An address can change after this answer, so it is asked again before each delivery.
 */
export async function guardUrl(
  raw: string,
  policy: UrlPolicy,
  resolver: Resolver,
  fetchImpl: typeof fetch = fetch,
): Promise<UrlCheck> {
  const check = checkUrl(raw, policy);
  if (!check.ok || !("name" in check.host)) return check;
  const { name } = check.host;
  if (name === "localhost" || name.endsWith(".localhost")) return check;
  let addresses: string[];
  try {
    addresses = await resolveHost(name, resolver, fetchImpl);
  } catch {
    return { ok: false, reason: REASONS.resolverDown };
  }
  if (addresses.length === 0) return { ok: false, reason: REASONS.unresolved };
  const allowed = (ip: string) => {
    const reason = blockedAddress(ip);
    return reason === null || (reason === "loopback" && policy.allowLoopback && isLoopbackAddress(ip));
  };
  return addresses.every(allowed) ? check : { ok: false, reason: REASONS.address };
}
