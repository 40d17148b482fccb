import type { RouterRoute } from "hono/types";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const segment = (part: string) => {
  if (part === "*") return ".*";
  const param = /^:\w+(?:\{(.+)\})?$/.exec(part);
  if (param) return param[1] ? `(?:${param[1]})` : "[^/]+";
  return escape(part);
};

const toRegExp = (path: string) => new RegExp(`^${path.replace(/\/+$/, "").split("/").map(segment).join("/")}/?$`);

/** Methods some route answers for `path`; a non-empty answer turns a 404 into a 405. */
export function allowedMethods(routes: RouterRoute[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method !== "ALL" && toRegExp(route.path).test(path)) methods.add(route.method);
  }
  return [...methods];
}
