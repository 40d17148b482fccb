import * as z from "zod";
import { errorNames, errorResponses } from "./errors";
import { apiRoutes } from "./paths";
import { components } from "./responses";
import { type ApiRoute, type ErrorStatus, openApiPath, pathParams } from "./route";

type JsonSchema = Record<string, unknown>;

/** zod writes ±MAX_SAFE_INTEGER bounds on every `z.int()` and a long pattern beside each format; neither helps a reader. */
const tidy = ({ jsonSchema: s }: { jsonSchema: JsonSchema }) => {
  if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
  if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
  if (typeof s.format === "string" && ["date-time", "email", "uri"].includes(s.format)) delete s.pattern;
};

/** Query parameters shared by many routes, described once. */
const commonParams: Record<string, string> = {
  page: "1-based page number (default 1); a page past the end is 404 `Invalid page.`",
  page_size: "Results per page, 1 to 100 (default 10)",
};

/** Requests are described as clients send them (`io: "input"`), before transforms and defaults. */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema, ...json } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", override: tidy }) as JsonSchema;
  return json;
}

function componentSchemas(): Record<string, JsonSchema> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const { schemas } = z.toJSONSchema(components, { target: "draft-2020-12", uri, override: tidy });
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema, $id, ...json }]) => [id, json]));
}

/** A registered response schema by reference, anything else inline. */
function outputSchema(schema: z.ZodType): JsonSchema {
  const id = components.get(schema)?.id;
  if (id) return { $ref: `#/components/schemas/${id}` };
  const { $schema, ...json } = z.toJSONSchema(schema, { target: "draft-2020-12", override: tidy }) as JsonSchema;
  return json;
}

function parameters(route: ApiRoute) {
  const params: object[] = pathParams(route.path).map((name) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "integer", minimum: 1 },
  }));
  for (const { name, description } of route.headers ?? []) params.push({ name, in: "header", required: false, description, schema: { type: "string" } });
  if (route.query) {
    const json = inputSchema(route.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, { description: own, ...schema }] of Object.entries(json.properties ?? {})) {
      const description = route.params?.[name] ?? commonParams[name] ?? own;
      params.push({ name, in: "query", required: json.required?.includes(name) ?? false, ...(description ? { description } : {}), schema });
    }
  }
  return params;
}

/** Error answers implied by who may call, what is validated and whether Postgres is behind it. */
function impliedErrors(route: ApiRoute): ErrorStatus[] {
  const implied: ErrorStatus[] = [];
  if (route.body || route.query) implied.push(400);
  if (route.access !== "anyone") implied.push(401);
  if (route.access === "staff") implied.push(403);
  if (pathParams(route.path).length) implied.push(404);
  if (route.body) implied.push(413);
  if (!route.noDb) implied.push(503);
  return implied;
}

function responses(route: ApiRoute) {
  const { ok } = route;
  const media = ok.schema ? { "application/json": { schema: outputSchema(ok.schema) } } : ok.mediaType ? { [ok.mediaType]: {} } : undefined;
  const answers: Record<string, object> = { [ok.status]: { description: ok.description, ...(media ? { content: media } : {}) } };
  if (route.notServed) return answers;
  const statuses = [...new Set([...impliedErrors(route), ...(route.errors ?? [])])].sort((a, b) => a - b);
  for (const status of statuses) answers[status] = { $ref: `#/components/responses/${errorNames[status]}` };
  for (const [status, extra] of Object.entries(route.responses ?? {})) {
    answers[status] = {
      description: extra.description,
      ...(extra.schema ? { content: { "application/json": { schema: outputSchema(extra.schema) } } } : {}),
    };
  }
  return answers;
}

/** `patch /api/orders/{id}/update_status/` → `patchApiOrdersIdUpdate_status`. */
const operationId = (route: ApiRoute) =>
  route.method +
  openApiPath(route.path)
    .replace(/[{}]/g, "")
    .split("/")
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");

function operation(route: ApiRoute) {
  const params = parameters(route);
  return {
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    operationId: operationId(route),
    security: route.access === "anyone" ? [] : [{ bearerAuth: [] }],
    ...(params.length ? { parameters: params } : {}),
    ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: inputSchema(route.body) } } } } : {}),
    responses: responses(route),
  };
}

const description = `A drop-in rebuild of a Django REST Framework shop on Cloudflare Workers.

- Every path also works without its trailing slash. A known path called with another method answers 405.
- Errors use DRF's shapes: \`{"detail": "..."}\`, or \`{"<field>": ["..."]}\` for validation.
- Money is a decimal string with two places (\`"1299.99"\`); timestamps are ISO-8601 UTC.
- Every answer carries \`X-Request-Id\` (yours, if you send a safe one, or a new one); quote it when reporting a problem.
- Authenticate with \`Authorization: Bearer <access token>\` from \`/api/auth/login/\` or \`/api/auth/register/\`.`;

function build() {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of apiRoutes) (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route);
  return {
    openapi: "3.1.0",
    info: { title: "edge-shop API", version: "1.0.0", description },
    tags: [
      { name: "auth", description: "Accounts and JWT tokens" },
      { name: "products", description: "The catalog" },
      { name: "categories", description: "Product categories" },
      { name: "cart", description: "Your cart" },
      { name: "orders", description: "Orders and their status workflow" },
      { name: "admin", description: "Staff-only reads for the staff console at /admin/" },
      { name: "notifications", description: "Real-time order events over WebSockets" },
      { name: "operations", description: "Root, health and these docs" },
    ],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token (15 minutes by default)." } },
      schemas: componentSchemas(),
      responses: errorResponses,
    },
  };
}

let document: ReturnType<typeof build> | undefined;

/** Built on first use and kept for the isolate's life: it depends on code only. */
export const openApiDocument = () => (document ??= build());
