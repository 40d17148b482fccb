import { Validator } from "@cfworker/json-schema";
import type { OpenApiDocument } from "../../src/openapi/document";
import { loadDocument } from "./openapi-support";

/*
 * Every answer a worker test receives is checked against the OpenAPI document the app serves:
 * its status must be documented for that operation (or be the 404/405 of an unknown path or
 * method), and a JSON body must match the documented schema. A renamed field, a new status or a
 * changed shape fails the test that saw it, so the document cannot drift from the code.
 */

type Json = Record<string, any>;
interface Template {
  pattern: RegExp;
  ops: Record<string, Json>;
}

let documentAndTemplates: Promise<{ doc: OpenApiDocument; templates: Template[] }> | undefined;

function compile(doc: OpenApiDocument): Template[] {
  return Object.entries(doc.paths as Record<string, Record<string, Json>>).map(([path, ops]) => ({
    pattern: new RegExp(`^${path.replace(/\/$/, "").replace(/\{\w+\}/g, "[0-9]+")}/?$`),
    ops,
  }));
}

const load = () => (documentAndTemplates ??= loadDocument().then((doc) => ({ doc, templates: compile(doc) })));

/** `#/components/responses/X` → the response object. */
const resolve = (doc: OpenApiDocument, response: Json): Json => {
  const ref = response.$ref as string | undefined;
  if (!ref) return response;
  const name = ref.split("/").pop()!;
  return (doc.components.responses as Record<string, Json>)[name]!;
};

function check(doc: OpenApiDocument, schema: Json, body: unknown): string[] {
  const validator = new Validator({ ...schema, components: doc.components } as never, "2020-12", false);
  const result = validator.validate(body);
  return result.valid ? [] : result.errors.slice(0, 5).map((e) => `${e.instanceLocation}: ${e.error}`);
}

/** Throws, naming what differs, when `res` (a clone is read) is not what the document promises for `method path`. */
export async function expectDocumented(method: string, path: string, res: Response): Promise<void> {
  // A CORS preflight is the browser's, not an operation of the API.
  if (method === "OPTIONS") return;
  const { doc, templates } = await load();
  const pathname = new URL(path, "http://x").pathname;
  const template = templates.find((t) => t.pattern.test(pathname));
  const where = `${method} ${pathname} → ${res.status}`;
  let response: Json | undefined;
  if (res.status === 413) {
    // Any request, to any path, with a body over the limit: the document's description says so.
    response = (doc.components.responses as Record<string, Json>).PayloadTooLarge;
  } else if (!template) {
    if (res.status !== 404) throw new Error(`${where}: no such path is documented, so only a 404 is`);
    response = (doc.components.responses as Record<string, Json>).NotFound;
  } else {
    const op = template.ops[method.toLowerCase()] ?? (method === "HEAD" ? template.ops.get : undefined);
    if (!op) {
      if (res.status !== 405)
        throw new Error(`${where}: the path has no ${method} operation, so only a 405 is documented`);
      response = (doc.components.responses as Record<string, Json>).MethodNotAllowed;
    } else {
      const documented = (op.responses as Json)[String(res.status)];
      if (!documented)
        throw new Error(`${where}: status not documented (documented: ${Object.keys(op.responses).join(", ")})`);
      response = resolve(doc, documented);
    }
  }
  const type = res.headers.get("content-type") ?? "";
  const schema = response?.content?.["application/json"]?.schema as Json | undefined;
  if (!schema || !type.startsWith("application/json") || method === "HEAD") return;
  const text = await res.clone().text();
  const problems = check(doc, schema, JSON.parse(text));
  if (problems.length)
    throw new Error(
      `${where}: body does not match the documented schema:\n  ${problems.join("\n  ")}\n  body: ${text.slice(0, 300)}`,
    );
}
