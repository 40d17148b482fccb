import { Validator } from "@cfworker/json-schema";

/*
 * Every answer a worker or e2e test receives is checked against the OpenAPI document the app
 * serves: its status must be documented for that operation (or be the 404/405 of an unknown path
 * or method), and a JSON body must match the documented schema. A renamed field, a new status or
 * a changed shape fails the test that saw it, so the document cannot drift from the code. Inside
 * workerd the document comes from the app itself; over HTTP from the running Worker's /api/schema/.
 */

interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: object }>;
}
interface Operation {
  responses: Record<string, ResponseObject>;
}
/** The part of an OpenAPI document the checker reads. */
export interface ApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, ResponseObject> };
}

interface Template {
  pattern: RegExp;
  ops: Record<string, Operation>;
}

function compile(doc: ApiDocument): Template[] {
  return Object.entries(doc.paths).map(([path, ops]) => ({
    pattern: new RegExp(`^${path.replace(/\/$/, "").replace(/\{\w+\}/g, "[0-9]+")}/?$`),
    ops,
  }));
}

/** `#/components/responses/X` → the response object. */
const resolve = (doc: ApiDocument, response: ResponseObject): ResponseObject => {
  const ref = response.$ref;
  if (!ref) return response;
  return doc.components.responses[ref.split("/").pop()!]!;
};

function check(doc: ApiDocument, schema: object, body: unknown): string[] {
  const validator = new Validator({ ...schema, components: doc.components } as never, "2020-12", false);
  const result = validator.validate(body);
  return result.valid ? [] : result.errors.slice(0, 5).map((e) => `${e.instanceLocation}: ${e.error}`);
}

/** What the checker reads of an answer: a Response, or what a WebSocket client saw of the upgrade. */
export interface Answer {
  status: number;
  headers: { get(name: string): string | null };
  clone(): { text(): Promise<string> };
}

export type ExpectDocumented = (method: string, path: string, res: Answer) => Promise<void>;

/**
 * A checker over the document `load` gives (loaded once, on first use): it throws, naming what
 * differs, when `res` (a clone is read) is not what the document promises for `method path`.
 */
export function documentChecker(load: () => Promise<ApiDocument>): ExpectDocumented {
  let loaded: Promise<{ doc: ApiDocument; templates: Template[] }> | undefined;
  return async (method, path, res) => {
    // A CORS preflight is the browser's, not an operation of the API.
    if (method === "OPTIONS") return;
    loaded ??= load().then((doc) => ({ doc, templates: compile(doc) }));
    const { doc, templates } = await loaded;
    const shared = doc.components.responses;
    const pathname = new URL(path, "http://x").pathname;
    const template = templates.find((t) => t.pattern.test(pathname));
    const where = `${method} ${pathname} → ${res.status}`;
    let response: ResponseObject | undefined;
    if (res.status === 413) {
      // Any request, to any path, with a body over the limit: the document's description says so.
      response = shared.PayloadTooLarge;
    } else if (!template) {
      if (res.status !== 404) throw new Error(`${where}: no such path is documented, so only a 404 is`);
      response = shared.NotFound;
    } else {
      const op = template.ops[method.toLowerCase()] ?? (method === "HEAD" ? template.ops.get : undefined);
      if (!op) {
        if (res.status !== 405)
          throw new Error(`${where}: the path has no ${method} operation, so only a 405 is documented`);
        response = shared.MethodNotAllowed;
      } else {
        const documented = op.responses[String(res.status)];
        if (!documented)
          throw new Error(`${where}: status not documented (documented: ${Object.keys(op.responses).join(", ")})`);
        response = resolve(doc, documented);
      }
    }
    const type = res.headers.get("content-type") ?? "";
    const schema = response?.content?.["application/json"]?.schema;
    if (!schema || !type.startsWith("application/json") || method === "HEAD") return;
    const text = await res.clone().text();
    const problems = check(doc, schema, JSON.parse(text));
    if (problems.length)
      throw new Error(
        `${where}: body does not match the documented schema:\n  ${problems.join("\n  ")}\n  body: ${text.slice(0, 300)}`,
      );
  };
}
