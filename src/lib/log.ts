type Level = "info" | "warn" | "error";

/** One JSON object per line, so logs stay greppable in `wrangler tail` and locally. */
export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

export interface RequestLine {
  requestId: string;
  method: string;
  path: string;
  route: string | null;
  status: number;
  ms: number;
  userId?: number;
}

const q = JSON.stringify;

/**
 * The per-request line, the same shape as `log()` writes, built as one string: on every request,
 * so no intermediate object and only the client-controlled fields go through JSON.stringify.
 */
export function logRequest(r: RequestLine): void {
  const user = r.userId === undefined ? "" : `,"userId":${r.userId}`;
  console.log(
    `{"level":"info","msg":"request","time":"${new Date().toISOString()}","requestId":${q(r.requestId)},"method":${q(r.method)},"path":${q(r.path)},"route":${q(r.route)},"status":${r.status},"ms":${r.ms}${user}}`,
  );
}
