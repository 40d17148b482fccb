/** DRF's field errors: `{"price": ["Ensure this value is greater than 0."]}`. */
export type FieldErrors = Record<string, string[]>;

/**
 * An answer other than 2xx, in the API's error shape (`{"detail": ...}` or field errors), or
 * status 0 when the API could not be reached. The message is the API's own, ready to show.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  /** The field errors of a 400 of that shape, else null. */
  readonly fields: FieldErrors | null;

  constructor(status: number, body: unknown) {
    super(describe(status, body));
    this.name = "ApiError";
    this.status = status;
    this.body = body;
    this.fields =
      status === 400 && body && typeof body === "object" && !("detail" in body) ? (body as FieldErrors) : null;
  }

  /** The error an answer stands for (its body read as JSON when it is some). */
  static async from(res: Response): Promise<ApiError> {
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return new ApiError(res.status, body);
  }
}

function describe(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    if ("detail" in body && typeof body.detail === "string") return body.detail;
    const lines = Object.entries(body).map(
      ([field, list]) =>
        `${field === "non_field_errors" ? "" : `${field}: `}${([] as unknown[]).concat(list).join(" ")}`,
    );
    if (lines.length) return lines.join(" ");
  }
  if (status === 0) return "The API could not be reached. Check the connection and retry.";
  return `The API answered ${status}.`;
}
