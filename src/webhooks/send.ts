import type { Config } from "../config";
import type { UrlCheck, UrlPolicy } from "./address";
import { guardUrl, type Resolver } from "./resolve";
import { signedHeaders } from "./signing";

/** Hops followed for an endpoint that opted in; each is checked as the endpoint's own URL is. */
const MAX_REDIRECTS = 3;
/** The end of an error body kept in the log is never read; the start of one is a hint. */
const MAX_ERROR = 300;

export interface Target {
  url: string;
  followRedirects: boolean;
  /** The current secret first, then the previous one while its grace period lasts. */
  secrets: string[];
}

export interface Message {
  id: string;
  body: string;
}

export interface SendOptions {
  /** The address check of a URL (guardUrl, shared by a batch so each host is resolved once). */
  check: (url: string) => Promise<UrlCheck>;
  timeoutMs: number;
}

/** Which targets the configuration allows, and the resolver their names are checked with. */
export const targetRules = (
  config: Pick<Config, "WEBHOOK_ALLOW_LOOPBACK" | "WEBHOOK_DNS_URL" | "WEBHOOK_DNS_KEY">,
): { policy: UrlPolicy; resolver: Resolver } => ({
  policy: { allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK },
  resolver: { url: config.WEBHOOK_DNS_URL, key: config.WEBHOOK_DNS_KEY },
});

/** `guardUrl` under `rules`, each URL's answer kept for the life of the function (a consumer batch). */
export function batchGuard({ policy, resolver }: ReturnType<typeof targetRules>): (url: string) => Promise<UrlCheck> {
  const answers = new Map<string, Promise<UrlCheck>>();
  return (url) => {
    const known = answers.get(url);
    if (known) return known;
    const answer = guardUrl(url, policy, resolver);
    answers.set(url, answer);
    return answer;
  };
}

export interface Outcome {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

const isRedirect = (status: number) => status >= 300 && status < 400;

/**
 * One attempt: the URL (and every redirect hop) checked after resolution, the signed POST, and
 * an answer within `timeoutMs` for the whole attempt. Only a 2xx counts as delivered.
 */
export async function send(
  target: Target,
  message: Message,
  options: SendOptions,
  fetchImpl = fetch,
): Promise<Outcome> {
  const started = Date.now();
  const outcome = (ok: boolean, statusCode: number | null, error: string | null): Outcome => ({
    ok,
    statusCode,
    durationMs: Date.now() - started,
    error: error?.slice(0, MAX_ERROR) ?? null,
  });
  const signal = AbortSignal.timeout(options.timeoutMs);
  const headers = {
    "content-type": "application/json",
    "user-agent": "edge-shop-webhooks/1",
    ...(await signedHeaders(target.secrets, message.id, new Date(), message.body)),
  };
  let url = target.url;
  try {
    for (let hop = 0; ; hop++) {
      const check = await options.check(url);
      if (!check.ok) return outcome(false, null, `Refused ${url}: ${check.reason}`);
      const res = await fetchImpl(check.url, {
        method: "POST",
        headers,
        body: message.body,
        redirect: "manual",
        signal,
      });
      await res.body?.cancel();
      if (res.ok) return outcome(true, res.status, null);
      const location = res.headers.get("location");
      if (!isRedirect(res.status) || !location) return outcome(false, res.status, `HTTP ${res.status}`);
      if (!target.followRedirects) return outcome(false, res.status, `Redirect to ${location} not followed`);
      if (hop === MAX_REDIRECTS) return outcome(false, res.status, `More than ${MAX_REDIRECTS} redirects`);
      url = new URL(location, url).toString();
    }
  } catch (err) {
    if (signal.aborted) return outcome(false, null, `No answer within ${options.timeoutMs} ms`);
    return outcome(false, null, `Could not connect: ${err instanceof Error ? err.message : String(err)}`);
  }
}
