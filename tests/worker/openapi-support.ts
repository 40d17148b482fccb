import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import app from "../../src/app";
import type { Bindings } from "../../src/config";
import type { OpenApiDocument } from "../../src/openapi/document";

export type Operation = {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
  "x-access"?: "user" | "staff";
  requestBody?: unknown;
  parameters?: { name: string; in: string }[];
};

/** `/api/products/:id{[0-9]+}` → `/api/products/{id}/`, as the document spells paths. */
export const openApiPath = (honoPath: string) => {
  const path = honoPath.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
  return path.endsWith("/") ? path : `${path}/`;
};

/** The document as `/api/schema/` serves it (it opens no database, so the plain test env is enough). */
export async function loadDocument<D = OpenApiDocument>(): Promise<D> {
  const ctx = createExecutionContext();
  const res = await app.request("/api/schema/", undefined, env as Bindings, ctx);
  await waitOnExecutionContext(ctx);
  if (res.status !== 200) throw new Error(`/api/schema/ answered ${res.status}`);
  return res.json<D>();
}

export const operation = (doc: OpenApiDocument, method: string, honoPath: string): Operation | undefined =>
  (doc.paths as unknown as Record<string, Record<string, Operation>>)[openApiPath(honoPath)]?.[method.toLowerCase()];

/** Who may call an operation, as the document says it. */
export const accessOf = (op: Operation): "anyone" | "user" | "staff" => op["x-access"] ?? "anyone";
