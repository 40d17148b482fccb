import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type FieldErrors = Record<string, string[]>;

/** A failure with the exact JSON body the contract promises; `onError` renders it. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: ContentfulStatusCode, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(typeof body.detail === "string" ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export const validationError = (errors: FieldErrors) => new ApiError(400, errors);
export const fieldError = (field: string, message: string) => validationError({ [field]: [message] });
export const badRequest = (detail: string, extra: Record<string, unknown> = {}) =>
  new ApiError(400, { detail, ...extra });
export const notAuthenticated = () => new ApiError(401, { detail: "Authentication credentials were not provided." });
export const invalidToken = () =>
  new ApiError(401, { detail: "Given token not valid for any token type", code: "token_not_valid" });
export const forbidden = () => new ApiError(403, { detail: "You do not have permission to perform this action." });
export const notFound = (detail = "Not found.") => new ApiError(404, { detail });
/** DRF's 405 for a path served with other methods, with the `Allow` header they name. */
export const notAllowed = (c: Context, methods: string[]) =>
  c.json({ detail: `Method "${c.req.method}" not allowed.` }, 405, { Allow: methods.join(", ") });
export const conflict = (detail: string) => new ApiError(409, { detail });
export const throttled = (seconds: number) =>
  new ApiError(
    429,
    { detail: `Request was throttled. Expected available in ${seconds} seconds.` },
    { "Retry-After": String(seconds) },
  );
export const serviceUnavailable = (detail = "Service temporarily unavailable, try again later.") =>
  new ApiError(503, { detail });
