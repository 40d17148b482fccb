import type * as z from "zod";

export type Method = "get" | "post" | "put" | "patch" | "delete";

/** Who may call: `user` needs a Bearer access token, `staff` one of a staff user. */
export type Access = "anyone" | "user" | "staff";

/** Error statuses with a shared answer (src/openapi/errors.ts). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 422 | 426 | 429 | 503;

export interface ExtraResponse {
  description: string;
  schema?: z.ZodType;
}

/** One operation of the document, next to the zod schemas its route validates with. */
export interface ApiRoute {
  method: Method;
  /** The path exactly as Hono registers it (`/api/products/:id{[0-9]+}`), so tests can match it to `app.routes`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  query?: z.ZodObject;
  /** Descriptions of query parameters, by name. */
  params?: Record<string, string>;
  body?: z.ZodType;
  /** Request headers the route reads, e.g. `Idempotency-Key`. */
  headers?: { name: string; description: string }[];
  /** The success answer; `schema: null` for an empty body. */
  ok: { status: number; description: string; schema: z.ZodType | null; mediaType?: string };
  /** Shared error answers beyond those its access, inputs and path already imply. */
  errors?: ErrorStatus[];
  /** Answers specific to this route, replacing the shared ones for that status. */
  responses?: Record<number, ExtraResponse>;
  /** Answers without Postgres (no 503). */
  noDb?: boolean;
  /** Documented for clients but matched by no route: the contract's 405 for edits of orders. */
  notServed?: boolean;
}

/** One row for PUT and one for PATCH: the contract accepts partial updates through both. */
export const putAndPatch = (route: Omit<ApiRoute, "method">): ApiRoute[] => [
  { ...route, method: "put" },
  { ...route, method: "patch" },
];

/** `/api/products/:id{[0-9]+}` → `/api/products/{id}/`: OpenAPI's template with the contract's trailing slash. */
export function openApiPath(honoPath: string): string {
  const path = honoPath.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
  return path.endsWith("/") ? path : `${path}/`;
}

export const pathParams = (honoPath: string): string[] => [...honoPath.matchAll(/:(\w+)/g)].map((m) => m[1]!);
