import type { Hono } from "hono";
import { generateSpecs } from "hono-openapi";
import * as z from "zod";
import type { AppEnv } from "../context";
import { socketMessages } from "../realtime/events";
import { tidy } from "./describe";
import { type ErrorStatus, errorRef, errorResponses } from "./errors";
import { Detail, FieldErrors, TokenNotValid } from "./schemas";

type JsonSchema = Record<string, unknown>;
interface Operation {
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  security?: unknown[];
  "x-access"?: string;
  "x-no-db"?: boolean;
}
type Paths = Record<string, Record<string, Operation>>;

const description = `A drop-in rebuild of a Django REST Framework shop on Cloudflare Workers.

- Every path also works without its trailing slash. A known path called with another method answers 405.
- A request body over 64 KiB answers 413, whatever the path.
- Errors use DRF's shapes: \`{"detail": "..."}\`, or \`{"<field>": ["..."]}\` for validation.
- Money is a decimal string with two places (\`"1299.99"\`); timestamps are ISO-8601 UTC.
- Every answer carries \`X-Request-Id\` (yours, if you send a safe one, or a new one); quote it when reporting a problem.
- Authenticate with \`Authorization: Bearer <access token>\` from \`/api/auth/login/\` or \`/api/auth/register/\`.`;

const tags = [
  { name: "auth", description: "Accounts and JWT tokens" },
  { name: "products", description: "The catalog" },
  { name: "categories", description: "Product categories" },
  { name: "cart", description: "Your cart" },
  { name: "orders", description: "Orders and their status workflow" },
  { name: "admin", description: "Staff-only reads for the staff console at /admin/" },
  { name: "notifications", description: "Real-time order events over WebSockets" },
  { name: "operations", description: "Root, health and these docs" },
];

/** Schemas the shared error answers and the WebSocket descriptions refer to by name. */
function sharedSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const schema of [Detail, FieldErrors, TokenNotValid, ...socketMessages])
    registry.add(schema, { id: schema.meta()!.id as string });
  const { schemas } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    uri: (id) => `#/components/schemas/${id}`,
    override: tidy,
  });
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema, $id, ...json }]) => [id, json as JsonSchema]));
}

/** Answers every operation of a kind has, written once here rather than on each route. */
function impliedErrors(path: string, op: Operation): ErrorStatus[] {
  const implied: ErrorStatus[] = [];
  if (path.includes("{")) implied.push(404);
  if (op.requestBody) implied.push(413);
  if (!op["x-no-db"]) implied.push(503);
  return implied;
}

/** `/api/products/{id}` → the contract's `/api/products/{id}/`; ids are positive integers. */
function finish(generated: Paths): Paths {
  const paths: Paths = {};
  for (const [path, ops] of Object.entries(generated)) {
    const canonical = path.endsWith("/") ? path : `${path}/`;
    for (const [method, op] of Object.entries(ops)) {
      for (const p of op.parameters ?? []) if (p.in === "path") p.schema = { type: "integer", minimum: 1 };
      for (const status of impliedErrors(canonical, op)) op.responses[status] ??= errorRef(status);
      delete op["x-no-db"];
      op.security ??= [];
      op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => Number(a) - Number(b)));
      paths[canonical] = { ...paths[canonical], [method]: op };
    }
  }
  // Not routes: the method-not-allowed middleware answers them, but clients of the original expect them written down.
  const order = paths["/api/orders/{id}/"];
  for (const method of ["put", "patch", "delete"]) {
    if (!order || order[method]) continue;
    order[method] = {
      tags: ["orders"],
      summary: "Not allowed: orders cannot be edited or deleted",
      operationId: `${method}ApiOrdersById`,
      security: [],
      responses: {
        405: {
          description: 'Always `{"detail": "Method \\"X\\" not allowed."}`',
          content: { "application/json": { schema: { $ref: "#/components/schemas/Detail" } } },
        },
      },
    } as Operation;
  }
  return paths;
}

async function build(app: Hono<AppEnv>) {
  const spec = await generateSpecs(app, {
    documentation: {
      info: { title: "edge-shop API", version: "1.0.0", description },
      tags,
      components: {
        securitySchemes: {
          bearerAuth: {
            type: "http",
            scheme: "bearer",
            bearerFormat: "JWT",
            description: "An access token (15 minutes by default).",
          },
        },
      },
    },
    // Validated routes answer DRF's 400.
    defaultValidationErrorResponse: errorRef(400) as never,
    excludeMethods: ["OPTIONS", "HEAD"],
  });
  return {
    ...spec,
    paths: finish(spec.paths as unknown as Paths),
    components: {
      ...spec.components,
      schemas: { ...sharedSchemas(), ...spec.components?.schemas },
      responses: errorResponses,
    },
  };
}

export type OpenApiDocument = Awaited<ReturnType<typeof build>>;

let document: OpenApiDocument | undefined;

/**
 * Built from `app.routes` on first use and kept for the isolate's life: it depends on code only.
 * The value is kept, not the promise: a promise settled in one request must not wake another.
 */
export async function openApiDocument(app: Hono<AppEnv>): Promise<OpenApiDocument> {
  document ??= await build(app);
  return document;
}
