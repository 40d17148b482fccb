// The local stand-ins listen on loopback, where every program of the machine (and every web page
// open in the developer's browser) can reach them. Each one requires the run's secret and refuses
// anything a browser sent: browsers always add `Origin` to cross-origin requests and WebSocket
// handshakes, and the Worker's own clients never do.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIPv4 } from "node:net";

/** A fresh secret for one run of the local stack. */
export const newSecret = () => randomBytes(24).toString("hex");

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Why a request must be refused (403 text), or null to serve it. `provided` is the secret as the
 * request carried it (a header or a query parameter, per stand-in).
 */
export function refusal(req: IncomingMessage, secret: string, provided: string | null | undefined): string | null {
  if (req.headers.origin !== undefined) return "requests from web pages are refused";
  if (!provided || !same(provided, secret)) return "missing or wrong local stack secret";
  return null;
}

/** A stand-in must never become a way to reach other machines, whoever can talk to it. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  return isIPv4(h) && h.startsWith("127.");
}
