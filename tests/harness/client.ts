// The typed client every worker and e2e test calls the API with: `hc<AppType>` (hono/client) whose
// fetch is a harness's own `request`, so each answer still goes through that harness (inside
// workerd: the app and `waitOnExecutionContext`; over HTTP: the running Worker) and is checked
// against the OpenAPI document (documented.ts) like any raw request.
import { hc } from "hono/client";
import type { AppType } from "../../src/app";

/** What a harness does with one request: `path` is the path and query, as a test would write it. */
export type Send = (path: string, init: RequestInit) => Promise<Response>;

export type Client = ReturnType<typeof hc<AppType>>;

export interface ClientOptions {
  /** An access token for `Authorization: Bearer`, or a fixture user carrying one. */
  as?: string | { token: string } | null;
  /** Headers sent with every request of this client. */
  headers?: Record<string, string>;
}

/** The one Authorization header of the tests. */
export const bearer = (who: string | { token: string }) => ({
  authorization: `Bearer ${typeof who === "string" ? who : who.token}`,
});

/**
 * hc writes a route's path as the app declares it (`/api/products/low_stock`); the API's URLs end
 * with a slash, so the client sends them as clients do (the app answers both: `strict: false`,
 * which foundation.test.ts checks with a raw request). A space in a query is sent as `%20`.
 */
const asSent = (url: string) => {
  const u = new URL(url);
  if (!u.pathname.endsWith("/")) u.pathname += "/";
  return `${u.pathname}${u.search.replaceAll("+", "%20")}`;
};

export function typedClient(send: Send, options: ClientOptions = {}): Client {
  const fetch = (input: RequestInfo | URL, init?: RequestInit) =>
    send(asSent(input instanceof Request ? input.url : String(input)), init ?? {});
  return hc<AppType>("http://localhost", {
    fetch: fetch as typeof globalThis.fetch,
    headers: { ...(options.as ? bearer(options.as) : {}), ...options.headers },
  });
}

/** A raw JSON request, for where the raw shape is the point (malformed JSON, odd paths); method defaults to POST. */
export const json = (body: unknown, init: RequestInit = {}): RequestInit => ({
  ...init,
  method: init.method ?? "POST",
  headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

/** An answer read once: status, headers, the text as sent and the body parsed (null when empty). */
export interface Reply<T> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/** The JSON body type hc infers for a response (its success answers; `unknown` where it cannot). */
type JsonOf<R> = R extends { json(): Promise<infer T> } ? T : unknown;

interface Answer {
  status: number;
  headers: Headers;
  text(): Promise<string>;
}

async function reply(res: Answer): Promise<Reply<never>> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: (text ? JSON.parse(text) : null) as never };
}

/** Reads an answer of the typed client, its body typed as hc infers it for the route. */
export const read = async <R extends { status: number; headers: Headers }>(res: R | Promise<R>) =>
  reply((await res) as unknown as Answer) as Promise<Reply<JsonOf<R>>>;

/**
 * Reads an answer whose body the route's type does not say: an error body, or a route that writes
 * its JSON itself (`POST /api/orders/` keeps the exact text for idempotent replays). The type is
 * taken on trust from the document, which the harness already checked this body against.
 */
export const readAs = async <T>(res: Answer | Promise<Answer>) => reply(await res) as Promise<Reply<T>>;

/**
 * A value the route's types refuse, sent on purpose to see the API refuse it too (a wrong type, a
 * missing field, an unknown choice): the type the call wants is taken from where it is used.
 */
export const unchecked = <T>(value: unknown): T => value as T;

/** The key hc gives a route's numeric id (`/:id{[0-9]+}`): `api.products[ID].$get(at(5))`. */
export const ID = ":id{[0-9]+}";

/** The path parameter of a route with an id; any string goes, so bad ids can be sent too. */
export const at = (id: number | string) => ({ param: { id: String(id) } });
