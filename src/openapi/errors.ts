/** Error statuses with a shared answer. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 422 | 426 | 429 | 503;

/*
 * The contract's error answers, one per status, as `components.responses`. Their bodies are
 * the same few shapes (`Detail`, `FieldErrors`, `TokenNotValid`) with the exact wording as examples.
 */

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const detail = (text: string) => ({ detail: text });

function response(description: string, body: object, examples: Record<string, unknown>, headers?: object) {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: {
      "application/json": {
        schema: body,
        examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])),
      },
    },
  };
}

export const errorNames: Record<ErrorStatus, string> = {
  400: "ValidationError",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  413: "PayloadTooLarge",
  422: "IdempotencyKeyReused",
  426: "UpgradeRequired",
  429: "Throttled",
  503: "ServiceUnavailable",
};

export const errorResponses = {
  ValidationError: response(
    "Invalid input, in DRF's shape: field errors, or `detail` for malformed JSON and other bad requests.",
    { anyOf: [schema("FieldErrors"), schema("Detail")] },
    {
      fields: {
        price: ["Ensure this value is greater than 0."],
        category: ['Invalid pk "99" - object does not exist.'],
      },
      crossField: { non_field_errors: ["A record with these values already exists."] },
      malformedJson: detail("JSON parse error - Malformed JSON in request body"),
    },
  ),
  Unauthorized: response(
    "No credentials, or a token that is invalid, expired, of the wrong type, or of a deactivated user.",
    { anyOf: [schema("Detail"), schema("TokenNotValid")] },
    {
      missing: detail("Authentication credentials were not provided."),
      invalid: { detail: "Given token not valid for any token type", code: "token_not_valid" },
    },
  ),
  Forbidden: response("Authenticated, but staff only.", schema("Detail"), {
    forbidden: detail("You do not have permission to perform this action."),
  }),
  NotFound: response("Unknown id (or someone else's order), or a page past the end.", schema("Detail"), {
    notFound: detail("Not found."),
    invalidPage: detail("Invalid page."),
  }),
  MethodNotAllowed: response("The path exists, the method does not.", schema("Detail"), {
    notAllowed: detail('Method "PUT" not allowed.'),
  }),
  Conflict: response("A status change the order's status graph does not allow.", schema("Detail"), {
    transition: detail("Cannot change status from delivered to pending"),
  }),
  PayloadTooLarge: response("Request bodies are limited to 64 KiB.", schema("Detail"), {
    tooLarge: detail("Request body too large."),
  }),
  IdempotencyKeyReused: response("The Idempotency-Key was already used with a different body.", schema("Detail"), {
    reused: detail("Idempotency-Key reused with a different request body."),
  }),
  UpgradeRequired: response("A WebSocket endpoint was called without `Upgrade: websocket`.", schema("Detail"), {
    upgrade: detail("Expected a WebSocket upgrade."),
  }),
  Throttled: response(
    "Over a rate limit (DRF's throttling message).",
    schema("Detail"),
    { throttled: detail("Request was throttled. Expected available in 42 seconds.") },
    { "Retry-After": { description: "Seconds until a new attempt is allowed", schema: { type: "integer" } } },
  ),
  ServiceUnavailable: response("The database is unreachable; retry later.", schema("Detail"), {
    unavailable: detail("Service temporarily unavailable, try again later."),
  }),
};

/** The shared answer for `status`, by reference. */
export const errorRef = (status: ErrorStatus) => ({ $ref: `#/components/responses/${errorNames[status]}` });
