// Local stand-in for Neon's HTTP SQL endpoint (the one `neon()` from @neondatabase/serverless
// posts to), in front of a plain Postgres: each request is one round trip from the Worker,
// served on a small pool of kept connections, as Neon's proxy serves it. Speaks what the driver
// sends (README "Local stack"): `POST` with `{query, params}` or `{queries: [...]}`, the
// `Neon-Connection-String`, `Neon-Array-Mode`, `Neon-Raw-Text-Output` and `Neon-Batch-*` headers;
// answers rows as text for the driver to parse, errors as 400 with Postgres's fields.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { isLoopback, refusal } from "./guard.ts";

/** What the driver sends as one query: params are already text (or null). */
interface Query {
  query: string;
  params?: (string | null)[];
}

interface Target {
  pool: pg.Pool;
}

/** Rows come back as the text Postgres wrote: the driver parses them by type, as Neon's proxy has it. */
const asText = { getTypeParser: () => (value: string) => value };

/** Fields of a Postgres error the driver copies onto its NeonDbError. */
const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

/** Distinct statement texts prepared by name (the app has a few dozen; tests add some). */
const MAX_NAMED = 500;

/** The driver's own application_name; anything else was set on purpose (tests tag requests with it). */
const DRIVER_APP = /^pkg:npm\//;

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseQueries(text: string): { batch: boolean; queries: Query[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
  const valid = (q: unknown): q is Query =>
    !!q &&
    typeof q === "object" &&
    typeof (q as Query).query === "string" &&
    (!("params" in q) || Array.isArray((q as Query).params));
  if (
    body &&
    typeof body === "object" &&
    "queries" in body &&
    Array.isArray(body.queries) &&
    body.queries.every(valid)
  ) {
    return { batch: true, queries: body.queries };
  }
  if (valid(body)) return { batch: false, queries: [body] };
  throw new HttpError(400, "expected {query, params} or {queries: [...]}");
}

const ISOLATION: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

function beginStatement(req: IncomingMessage): string {
  const level = ISOLATION[String(req.headers["neon-batch-isolation-level"] ?? "")];
  const readOnly = req.headers["neon-batch-read-only"] === "true";
  const deferrable = req.headers["neon-batch-deferrable"] === "true";
  return ["BEGIN", level ? `ISOLATION LEVEL ${level}` : "", readOnly ? "READ ONLY" : "", deferrable ? "DEFERRABLE" : ""]
    .filter(Boolean)
    .join(" ");
}

function resultJson(result: pg.QueryResult<unknown[]>) {
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows: result.rows,
    fields: result.fields.map((f) => ({
      name: f.name,
      tableID: f.tableID,
      columnID: f.columnID,
      dataTypeID: f.dataTypeID,
      dataTypeSize: f.dataTypeSize,
      dataTypeModifier: f.dataTypeModifier,
      format: f.format,
    })),
    rowAsArray: true,
  };
}

/** A Postgres error carries a SQLSTATE; anything else means the connection itself failed. */
const isSqlError = (err: unknown): err is pg.DatabaseError => {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
};

export interface NeonHttp {
  url: string;
  port: number;
  /** Requests answered so far for an application_name (tests tag requests with one); all requests without a tag. */
  trips(tag?: string): number;
  close(): Promise<void>;
}

/**
 * `secret` must come as `Authorization: Bearer` (the driver's `authToken`, the Worker's
 * `NEON_SQL_KEY`); a request from a web page, or for a Postgres outside loopback, is refused.
 */
export async function startNeonHttp(opts: {
  secret: string;
  port?: number;
  /** Kept connections per database (default 8). */
  poolSize?: number;
  /** How long to wait for a Postgres connection before answering 503 (default 3 s). */
  connectTimeoutMs?: number;
}): Promise<NeonHttp> {
  const targets = new Map<string, Target>();
  /**
   * A name per statement text, so each kept connection parses and plans a statement once and then
   * reuses it (Postgres keeps a generic plan after a few runs): the app's statements are fixed
   * texts with parameters, and parsing and planning them was about 40 % of Postgres's time per
   * order. Bounded, since each name costs memory on every connection: texts past the bound run
   * unnamed, as before.
   */
  const names = new Map<string, string>();
  const statementName = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED) {
      name = `s${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  /** Per tag, the first statement of each request, shortened: tests tell a request's trips from its background work by them. */
  const counts = new Map<string, string[]>();
  let total = 0;

  /** One pool per database, whatever application_name a request carries. */
  function target(connectionString: string): { target: Target; tag: string | null } {
    let url: URL;
    try {
      url = new URL(connectionString);
    } catch {
      throw new HttpError(400, "Neon-Connection-String is not a URL");
    }
    if (!isLoopback(url.hostname)) throw new HttpError(403, "only loopback databases are served");
    const app = url.searchParams.get("application_name");
    url.searchParams.delete("application_name");
    const key = url.toString();
    let found = targets.get(key);
    if (!found) {
      const pool = new pg.Pool({
        connectionString: key,
        max: opts.poolSize ?? 8,
        idleTimeoutMillis: 10_000,
        connectionTimeoutMillis: opts.connectTimeoutMs ?? 3000,
      });
      // A kept connection that breaks (Postgres restarted, a proxy cut) must not crash the stand-in.
      pool.on("error", () => {});
      found = { pool };
      targets.set(key, found);
    }
    return { target: found, tag: app && !DRIVER_APP.test(app) ? app : null };
  }

  async function run(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const why = refusal(req, opts.secret, /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1]);
    if (why) throw new HttpError(req.headers.origin !== undefined ? 403 : 401, why);
    const connectionString = req.headers["neon-connection-string"];
    if (typeof connectionString !== "string") throw new HttpError(400, "Neon-Connection-String is required");
    const { batch, queries } = parseQueries(await readBody(req));
    const { target: t, tag } = target(connectionString);
    total++;
    if (tag) counts.set(tag, [...(counts.get(tag) ?? []), queries[0]!.query.trim().slice(0, 80)]);

    return attempt(t, tag, batch, queries, req, opts.poolSize ?? 8);
  }

  /**
   * One request on one kept connection. A statement prepared on that connection before a
   * migration changed its columns cannot run there again (Postgres: "cached plan must not change
   * result type"): the connection is dropped and, the work having rolled back, the request runs
   * again on another, which prepares it afresh (as many times as the pool has connections that
   * may hold the old plan).
   */
  async function attempt(
    t: Target,
    tag: string | null,
    batch: boolean,
    queries: Query[],
    req: IncomingMessage,
    retries: number,
  ): Promise<{ status: number; body: unknown }> {
    let client: pg.PoolClient;
    try {
      client = await t.pool.connect();
    } catch (err) {
      throw new HttpError(503, `Postgres unreachable: ${(err as Error).message}`);
    }
    let broken: Error | undefined;
    let stalePlan = false;
    // Without parameters, the simple protocol: a script of several statements runs as one (tests set up with them).
    const exec = (q: Query) =>
      client.query<unknown[]>({
        name: q.params?.length ? statementName(q.query) : undefined,
        text: q.query,
        values: q.params?.length ? q.params : undefined,
        rowMode: "array",
        types: asText,
      });
    // A tagged request runs under its tag, on whichever kept connection serves it.
    const wrap = batch || tag !== null;
    let answer: { status: number; body: unknown };
    try {
      if (wrap) await client.query(batch ? beginStatement(req) : "BEGIN");
      if (tag !== null) await client.query("SELECT set_config('application_name', $1, true)", [tag]);
      const results = [];
      for (const q of queries) {
        const result: pg.QueryResult<unknown[]> | pg.QueryResult<unknown[]>[] = await exec(q);
        results.push(resultJson(Array.isArray(result) ? result.at(-1)! : result));
      }
      if (wrap) await client.query("COMMIT");
      answer = { status: 200, body: batch ? { results } : results[0] };
    } catch (err) {
      if (!isSqlError(err)) {
        broken = err as Error;
        throw new HttpError(503, `Postgres connection failed: ${(err as Error).message}`);
      }
      if (wrap) await client.query("ROLLBACK").catch((e: Error) => (broken = e));
      if (err.code === "0A000" && /cached plan/.test(err.message)) {
        broken = err;
        stalePlan = retries > 0;
      }
      const fields = Object.fromEntries(ERROR_FIELDS.map((k) => [k, (err as unknown as Record<string, unknown>)[k]]));
      answer = { status: 400, body: { message: err.message, ...fields } };
    } finally {
      // A connection that failed mid-way is dropped, not handed to the next request.
      client.release(broken);
    }
    return stalePlan ? attempt(t, tag, batch, queries, req, retries - 1) : answer;
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "GET" && path === "/__trips") {
      const why = refusal(req, opts.secret, /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1]);
      const tag = new URL(req.url ?? "/", "http://localhost").searchParams.get("tag");
      res.writeHead(why ? 403 : 200, { "content-type": "application/json" });
      const heads = tag ? (counts.get(tag) ?? []) : [];
      res.end(JSON.stringify(why ? { error: why } : { trips: tag ? heads.length : total, heads }));
      return;
    }
    run(req)
      .catch((err: Error) => ({ status: err instanceof HttpError ? err.status : 500, body: err.message }))
      .then(({ status, body }) => {
        const json = typeof body !== "string";
        res.writeHead(status, { "content-type": json ? "application/json" : "text/plain" });
        res.end(json ? JSON.stringify(body) : body);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/sql`,
    port,
    trips: (tag) => (tag ? (counts.get(tag)?.length ?? 0) : total),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...targets.values()].map((t) => t.pool.end().catch(() => {})));
    },
  };
}
