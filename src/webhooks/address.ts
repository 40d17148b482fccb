// Which webhook targets the API may call. A webhook URL is chosen by a client, and the Worker
// fetches it: without these checks it could be pointed at the machine's own services, the
// cloud's metadata endpoint or the private network behind it. Pure (no Node or Workers APIs), so
// the same rules run at endpoint creation, before each delivery and in Node tests.

/** Why a webhook URL was refused: sentences fit for an API field error. */
export const REASONS = {
  invalid: "Enter a valid URL.",
  tooLong: "Ensure this URL has no more than 2000 characters.",
  scheme: "Only https URLs are allowed.",
  credentials: "URLs with credentials are not allowed.",
  address: "Private, loopback, link-local and metadata addresses are not allowed.",
  unresolved: "The host name does not resolve.",
  resolverDown: "The host name could not be resolved, try again later.",
} as const;

const MAX_URL = 2000;

/** A dotted quad as a 32-bit number; leading zeros refused, since some parsers read them as octal. */
function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

/** Eight 16-bit groups, with `::` compression and a trailing dotted quad; zone ids refused. */
function parseIPv6(text: string): number[] | null {
  let s = text.toLowerCase();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  if (s.includes("%") || s.split("::").length > 2) return null;
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".")) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null || lastColon < 0) return null;
    tail.push(v4 >>> 16, v4 & 0xffff);
    s = s.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::", "1::1.2.3.4" leaves "1::", "1:2:3:4:5:6:1.2.3.4" leaves "…:6:".
    if (!s.endsWith("::")) s = s.slice(0, -1);
  }
  const group = (g: string) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : null);
  const read = (part: string): number[] | null => {
    if (part === "") return [];
    const groups = part.split(":").map(group);
    return groups.every((g) => g !== null) ? (groups as number[]) : null;
  };
  const halves = s.split("::");
  const head = read(halves[0] ?? "");
  if (head === null) return null;
  if (halves.length === 1) {
    const all = [...head, ...tail];
    return all.length === 8 ? all : null;
  }
  const rest = read(halves[1] ?? "");
  if (rest === null) return null;
  const known = head.length + rest.length + tail.length;
  if (known > 7) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

/** [base, prefix length, reason]; the first range that holds an address decides, so specific ranges come first. */
const V4_RANGES: [string, number, string][] = [
  ["0.0.0.0", 32, "unspecified"],
  ["0.0.0.0", 8, "reserved"],
  ["127.0.0.0", 8, "loopback"],
  ["10.0.0.0", 8, "private"],
  ["172.16.0.0", 12, "private"],
  ["192.168.0.0", 16, "private"],
  ["169.254.169.254", 32, "metadata"],
  ["169.254.0.0", 16, "link-local"],
  ["100.100.100.200", 32, "metadata"], // Alibaba Cloud's, inside the shared range
  ["100.64.0.0", 10, "shared"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"],
  ["192.88.99.0", 24, "reserved"], // the retired 6to4 relay anycast
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"], // includes 255.255.255.255
];

/** The ranges as numbers, once: every check walks them. */
const V4 = V4_RANGES.map(([base, bits, reason]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { network: (parseIPv4(base)! & mask) >>> 0, mask, reason };
});

function judgeIPv4(value: number): string | null {
  return V4.find((r) => (value & r.mask) >>> 0 === r.network)?.reason ?? null;
}

const v4At = (g: number[], i: number) => (g[i]! * 0x10000 + g[i + 1]!) >>> 0;
const zeros = (g: number[], from: number, to: number) => g.slice(from, to).every((x) => x === 0);

/** The IPv4 address an IPv6 one stands for (mapped, compatible, translated, NAT64, 6to4), or null. */
function embeddedIPv4(g: number[]): number | null {
  if (zeros(g, 0, 5) && g[5] === 0xffff) return v4At(g, 6); // ::ffff:0:0/96, mapped
  if (zeros(g, 0, 6)) return v4At(g, 6); // ::/96, IPv4-compatible (deprecated)
  if (zeros(g, 0, 4) && g[4] === 0xffff && g[5] === 0) return v4At(g, 6); // ::ffff:0:0:0/96, translated
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(g, 2, 6)) return v4At(g, 6); // 64:ff9b::/96
  // 64:ff9b:1::/48 is for local NAT64 at any prefix length: read as /96 when the middle is zero,
  // as RFC 6052's /48 layout when the suffix is; any other layout is judged as 255.255.255.255, reserved.
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) {
    if (zeros(g, 3, 6)) return v4At(g, 6);
    if ((g[5]! & 0xff) === 0 && zeros(g, 6, 8)) return ((g[3]! << 16) | ((g[4]! & 0xff) << 8) | (g[5]! >>> 8)) >>> 0;
    return 0xffffffff;
  }
  if (g[0] === 0x2002) return v4At(g, 1); // 2002::/16, 6to4
  return null;
}

function judgeIPv6(g: number[]): string | null {
  if (zeros(g, 0, 8)) return "unspecified";
  if (zeros(g, 0, 7) && g[7] === 1) return "loopback";
  const embedded = embeddedIPv4(g);
  if (embedded !== null) return judgeIPv4(embedded);
  const [a = 0, b = 0] = g;
  if (a === 0xfd00 && b === 0x0ec2 && zeros(g, 2, 7) && g[7] === 0x254) return "metadata"; // AWS's IPv6 one
  if ((a & 0xfe00) === 0xfc00) return "unique-local";
  if ((a & 0xffc0) === 0xfe80) return "link-local";
  if ((a & 0xffc0) === 0xfec0) return "site-local";
  if ((a & 0xff00) === 0xff00) return "multicast";
  if (a === 0x2001 && b === 0x0db8) return "reserved"; // documentation
  if ((a & 0xfff0) === 0x3ff0) return "reserved"; // 3fff::/20, documentation
  if (a === 0x2001 && b < 0x200) return "reserved"; // 2001::/23 protocol assignments, Teredo among them
  if (a === 0x5f00) return "reserved"; // SRv6 segment ids
  // Only 2000::/3 is handed out as global unicast; everything else (100::/64 discard, ::/8 …) is not a host.
  if ((a & 0xe000) !== 0x2000) return "reserved";
  return null;
}

/**
 * Null when `ip` is a public unicast address, else why not ("loopback", "private", "metadata",
 * "invalid" …). Takes an address as the URL parser writes a hostname: dotted quad, or IPv6 with
 * or without brackets; IPv6 forms that carry an IPv4 address are judged by that address.
 */
export function blockedAddress(ip: string): string | null {
  if (ip.includes(":")) {
    const groups = parseIPv6(ip);
    return groups === null ? "invalid" : judgeIPv6(groups);
  }
  const v4 = parseIPv4(ip);
  return v4 === null ? "invalid" : judgeIPv4(v4);
}

/** 127/8, ::1, and IPv4-mapped 127/8: the addresses that reach this machine itself. */
export function isLoopbackAddress(ip: string): boolean {
  if (ip.includes(":")) {
    const g = parseIPv6(ip);
    if (g === null) return false;
    if (zeros(g, 0, 7) && g[7] === 1) return true;
    return zeros(g, 0, 5) && g[5] === 0xffff && g[6]! >>> 8 === 127;
  }
  const v4 = parseIPv4(ip);
  return v4 !== null && v4 >>> 24 === 127;
}

export interface UrlPolicy {
  /** Dev and tests: webhooks to this machine (http allowed for them), refused in production. */
  allowLoopback: boolean;
}

export type UrlCheck = { ok: true; url: URL; host: { ip: string } | { name: string } } | { ok: false; reason: string };

const INTERNAL_SUFFIXES = [".local", ".internal", ".localdomain", ".home.arpa"];

const refuse = (reason: string): UrlCheck => ({ ok: false, reason });

/**
 * The syntax half of the webhook target policy: scheme, credentials, length, and the host as
 * written. A host name still has to be resolved and its addresses judged (guardUrl does both).
 * The host comes back as the URL parser normalized it (`http://0x7f.1/` is 127.0.0.1), an IPv6
 * one without brackets, a name without its trailing dot.
 */
export function checkUrl(raw: string, policy: UrlPolicy): UrlCheck {
  if (raw.length > MAX_URL) return refuse(REASONS.tooLong);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(REASONS.invalid);
  }
  if (url.href.length > MAX_URL) return refuse(REASONS.tooLong);
  if (url.protocol !== "https:" && url.protocol !== "http:") return refuse(REASONS.scheme);
  if (url.username !== "" || url.password !== "") return refuse(REASONS.credentials);
  const hostname = url.hostname;
  if (hostname === "") return refuse(REASONS.invalid);

  const literal = hostname.startsWith("[") ? hostname.slice(1, -1) : parseIPv4(hostname) !== null ? hostname : null;
  return literal !== null ? checkIp(url, literal, policy) : checkName(url, hostname.replace(/\.$/, ""), policy);
}

// Plain http only where nothing travels beyond this machine.
const httpRefused = (url: URL, loopback: boolean, policy: UrlPolicy) =>
  url.protocol === "http:" && !(policy.allowLoopback && loopback);

function checkIp(url: URL, ip: string, policy: UrlPolicy): UrlCheck {
  const loopback = isLoopbackAddress(ip);
  if (httpRefused(url, loopback, policy)) return refuse(REASONS.scheme);
  const reason = blockedAddress(ip);
  if (reason === "invalid") return refuse(REASONS.invalid);
  if (reason !== null && !(loopback && policy.allowLoopback)) return refuse(REASONS.address);
  return { ok: true, url, host: { ip } };
}

function checkName(url: URL, name: string, policy: UrlPolicy): UrlCheck {
  const loopback = name === "localhost" || name.endsWith(".localhost");
  if (httpRefused(url, loopback, policy)) return refuse(REASONS.scheme);
  if (loopback) return policy.allowLoopback ? { ok: true, url, host: { name } } : refuse(REASONS.address);
  // Names only a private network answers (metadata.google.internal among them): its resolver
  // could give any answer, and ours would not know the name.
  if (!name.includes(".") || INTERNAL_SUFFIXES.some((s) => name.endsWith(s))) return refuse(REASONS.address);
  return { ok: true, url, host: { name } };
}
