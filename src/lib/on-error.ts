import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConfigError } from "../config";
import type { AppEnv } from "../context";
import { ApiError, forbidden, invalidToken } from "./errors";
import { log } from "./log";
import { pgError } from "./pg-error";

const sqlState = (err: unknown) => pgError(err)?.code;

/**
 * The Neon driver fails a connection whose WebSocket cannot be opened (endpoint or proxy
 * unreachable) with the socket's own `ErrorEvent`, which is not an Error and says nothing useful.
 */
const isSocketEvent = (e: unknown): e is Event => typeof Event === "function" && e instanceof Event;

const looksLikeConnectionFailure = (err: unknown): boolean => {
  for (let e: unknown = err; e; e = e instanceof Error ? e.cause : undefined) {
    if (isSocketEvent(e)) return true;
    const message = e instanceof Error ? e.message : String(e);
    if (/connect|terminated|timeout|websocket|socket|ECONNREFUSED|network/i.test(message)) return true;
    if (!(e instanceof Error)) break;
  }
  return false;
};

/** drizzle puts a failed query's values in its message ("params: ..."): password hashes, emails. Logs keep the SQL only. */
const redact = (text: string | undefined) => text?.replace(/\nparams: [^\n]*/g, "\nparams: [redacted]");

/** Each `cause` below the error, as text: the driver's error is usually one or two levels down. */
const causes = (err: unknown): string[] => {
  const chain: string[] = [];
  for (
    let e = err instanceof Error ? err.cause : undefined;
    e !== undefined && chain.length < 5;
    e = e instanceof Error ? e.cause : undefined
  ) {
    chain.push(
      isSocketEvent(e)
        ? `${e.constructor.name} (${e.type}): ${(e as Partial<ErrorEvent>).message ?? ""}`
        : redact(String(e))!,
    );
  }
  return chain;
};

/** Refusals raised inside a request's own batch (shop_refuse, src/middleware/auth.ts). */
const refusals: Record<string, () => ApiError> = { SH401: invalidToken, SH403: forbidden };

/** The driver's words for an answer of Neon's endpoint that is not Postgres speaking (its proxy failed). */
const endpointFailure = (err: unknown) => {
  for (let e: unknown = err; e instanceof Error; e = e.cause)
    if (/Server error \(HTTP status 5\d\d\)/.test(e.message)) return true;
  return false;
};

/** Postgres errors that mean "the client sent something impossible", not "we broke". */
const clientDataErrors: Record<string, string> = {
  "23505": "A record with these values already exists.",
  "23503": "A referenced object does not exist.",
  "23514": "A value is out of the allowed range.",
  "22003": "A number is out of range.",
  "22P02": "A value has the wrong format.",
  "22001": "A value is too long.",
};

/** The one place errors become responses: known ones in the contract's shape, the rest as a bare 500. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ApiError) return c.json(err.body, err.status, err.headers);
  if (err instanceof HTTPException) {
    if (err.status === 400) return c.json({ detail: `JSON parse error - ${err.message}` }, 400);
    if (err.status === 413) return c.json({ detail: "Request body too large." }, 413);
    return c.json({ detail: err.message || "Error." }, err.status);
  }
  const requestId = c.get("requestId");
  if (err instanceof ConfigError) {
    log(
      "error",
      "invalid configuration: set the Worker's variables (.dev.vars for wrangler dev, secrets in production)",
      {
        requestId,
        problems: err.problems,
      },
    );
    return c.json({ detail: "The server is not configured: its log names what is missing." }, 503);
  }
  const state = sqlState(err);
  const refusal = state ? refusals[state] : undefined;
  if (refusal) {
    const { body, status } = refusal();
    return c.json(body, status);
  }
  if (state && clientDataErrors[state]) {
    log("warn", "database rejected input", { requestId, sqlState: state });
    return c.json({ non_field_errors: [clientDataErrors[state]] }, 400);
  }
  if ((state && /^(08|57P|53)/.test(state)) || (!state && (looksLikeConnectionFailure(err) || endpointFailure(err)))) {
    log("error", "database unavailable", { requestId, error: redact(String(err)), cause: causes(err) });
    return c.json({ detail: "Service temporarily unavailable, try again later." }, 503);
  }
  // Logged whole, answered bare: messages can carry SQL, values or hostnames.
  log("error", "unhandled error", {
    requestId,
    method: c.req.method,
    path: c.req.path,
    error: redact(String(err)),
    cause: causes(err),
    stack: redact(err instanceof Error ? err.stack : undefined),
  });
  return c.json({ detail: "A server error occurred." }, 500);
};
