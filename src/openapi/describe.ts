import type { MiddlewareHandler } from "hono";
import { describeRoute, resolver, uniqueSymbol } from "hono-openapi";
import type * as z from "zod";
import { type ErrorStatus, errorRef } from "./errors";

/*
 * A route documents itself: `doc()` describes what it answers, `validate()` (lib/validate.ts)
 * lends its zod schema to the request's description, and the access guards (middleware/auth.ts)
 * declare who may call and the 401/403 that implies. src/openapi/document.ts collects them from
 * `app.routes` with hono-openapi; no table elsewhere repeats a route.
 */

export type Tag = "auth" | "products" | "categories" | "cart" | "orders" | "admin" | "notifications" | "operations";

/** Who may call: `user` needs a Bearer access token, `staff` one of a staff user. */
export type Access = "anyone" | "user" | "staff";

type JsonSchema = Record<string, unknown>;

/** zod writes ±MAX_SAFE_INTEGER bounds on every `z.int()` and a long pattern beside each format; neither helps a reader. */
export const tidy = ({ jsonSchema: s }: { jsonSchema: JsonSchema }) => {
  if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
  if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
  if (typeof s.format === "string" && ["date-time", "email", "uri"].includes(s.format)) delete s.pattern;
};

/** A request schema as clients send it (before transforms and defaults). */
export const requestSchema = (schema: z.ZodType) => resolver(schema, { options: { io: "input", override: tidy } });
/** A response schema as the API writes it. */
export const responseSchema = (schema: z.ZodType) => resolver(schema, { options: { io: "output", override: tidy } });

/** Attaches hono-openapi's description to a middleware, which then documents every route it guards. */
export const documents = <M extends MiddlewareHandler>(middleware: M, description: object): M =>
  Object.assign(middleware, { [uniqueSymbol]: description });

/** What an access guard adds to a route's description. */
export function accessDoc(access: Exclude<Access, "anyone">) {
  return {
    spec: {
      security: [{ bearerAuth: [] }],
      "x-access": access,
      responses: { 401: errorRef(401), ...(access === "staff" ? { 403: errorRef(403) } : {}) },
    },
  };
}

interface Answer {
  description: string;
  schema?: z.ZodType;
  /** For answers that are not JSON (the docs page). */
  mediaType?: string;
  /** Response headers the answer may carry, by name. */
  headers?: Record<string, { description: string; values: readonly string[] }>;
}

export interface RouteDoc {
  tag: Tag;
  summary: string;
  description?: string;
  /** The success answer; no `schema` for an empty body. */
  ok: Answer & { status: number };
  /** Shared error answers beyond those its access, inputs, path and database already imply. */
  errors?: ErrorStatus[];
  /** Answers of this route alone, replacing the shared ones for their status. */
  responses?: Record<number, Answer>;
  /** Request headers the route reads. */
  headers?: { name: string; description: string }[];
  /** Answers without Postgres, so no 503. */
  noDb?: true;
}

const content = ({ schema, mediaType, headers }: Answer) => ({
  ...(schema
    ? { content: { "application/json": { schema: responseSchema(schema) } } }
    : mediaType
      ? { content: { [mediaType]: {} } }
      : {}),
  ...(headers
    ? {
        headers: Object.fromEntries(
          Object.entries(headers).map(([name, { description, values }]) => [
            name,
            { description, schema: { type: "string" as const, enum: [...values] } },
          ]),
        ),
      }
    : {}),
});

/** The description of a resource's PUT and PATCH, which both take any subset of the fields. */
export const PARTIAL_UPDATES =
  "Partial updates are accepted for both PUT and PATCH (the seed's own client sends a partial PUT).";

/** The route's own description: put it first among the route's handlers. */
export function doc(route: RouteDoc): MiddlewareHandler {
  const responses: NonNullable<Parameters<typeof describeRoute>[0]["responses"]> = {
    [route.ok.status]: { description: route.ok.description, ...content(route.ok) },
  };
  for (const status of route.errors ?? []) responses[status] = errorRef(status);
  for (const [status, answer] of Object.entries(route.responses ?? {}))
    responses[status] = { description: answer.description, ...content(answer) };
  return describeRoute({
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.headers
      ? {
          parameters: route.headers.map(({ name, description }) => ({
            name,
            in: "header" as const,
            required: false,
            description,
            schema: { type: "string" as const },
          })),
        }
      : {}),
    ...(route.noDb ? { "x-no-db": true } : {}),
    responses,
  });
}
