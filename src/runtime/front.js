// @ts-check
// The front of the app where Cloudflare is not: `npm start`'s worker beside the app in workerd, and
// the Deno server (src/deno.ts). It does what Cloudflare does in front of a
// deployed Worker. Paths that run the Worker first (wrangler.toml's `run_worker_first`) go to the
// app; anything else is a static asset from the bundle's assets directory, with the Content-Type
// its extension names and the headers `_headers` gives it; a path no asset has goes to the app.

/** @typedef {{ APP: Fetcher; ASSETS: Fetcher; WORKER_FIRST: string }} Env */
/** @typedef {{ pattern: RegExp; headers: [string, string][] }} Rule */

/** @type {Record<string, string>} */
const TYPES = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  map: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
  woff2: "font/woff2",
};

/** `/admin/*` → a RegExp over the path. @param {string} glob */
const globToRegExp = (glob) =>
  new RegExp(
    `^${glob
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

/** Parses Cloudflare's `_headers` format: a path line, then indented `Name: value` lines. @param {string} text @returns {Rule[]} */
function parseHeaders(text) {
  /** @type {Rule[]} */
  const rules = [];
  for (const line of text.split("\n")) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    if (!/^\s/.test(line)) rules.push({ pattern: globToRegExp(line.trim()), headers: [] });
    else {
      const at = line.indexOf(":");
      if (at > 0 && rules.length)
        rules[rules.length - 1]?.headers.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
    }
  }
  return rules;
}

/** @type {Rule[] | undefined} */
let rules;
/** @type {RegExp[] | undefined} */
let workerFirst;

export default {
  /** @param {Request} request @param {Env} env */
  async fetch(request, env) {
    const url = new URL(request.url);
    workerFirst ??= /** @type {string[]} */ (JSON.parse(env.WORKER_FIRST)).map(globToRegExp);
    if (workerFirst.some((p) => p.test(url.pathname) || p.test(`${url.pathname}/`))) return env.APP.fetch(request);
    if (request.method !== "GET" && request.method !== "HEAD") return env.APP.fetch(request);
    const file = url.pathname.endsWith("/") ? `${url.pathname}index.html` : url.pathname;
    const asset = await env.ASSETS.fetch(new URL(file, "http://assets"), { method: request.method });
    if (asset.status === 404 && !url.pathname.endsWith("/") && !file.includes("/_")) {
      // A directory named without its slash: Cloudflare's assets redirect to it (html_handling).
      const index = await env.ASSETS.fetch(new URL(`${url.pathname}/index.html`, "http://assets"), { method: "HEAD" });
      await index.body?.cancel();
      if (index.ok) return new Response(null, { status: 307, headers: { Location: `${url.pathname}/${url.search}` } });
    }
    if (asset.status === 404 || file.includes("/_")) return env.APP.fetch(request);
    // Files are read per request by workerd's disk service; the rules once (kept as a value, not a
    // promise: one settled in another request must not be awaited here).
    if (!rules) {
      const found = await env.ASSETS.fetch("http://assets/_headers");
      rules = found.ok ? parseHeaders(await found.text()) : [];
    }
    const headers = new Headers(asset.headers);
    headers.set("Content-Type", TYPES[file.split(".").pop() ?? ""] ?? "application/octet-stream");
    for (const rule of rules)
      if (rule.pattern.test(url.pathname)) for (const [name, value] of rule.headers) headers.set(name, value);
    return new Response(asset.body, { status: asset.status, headers });
  },
};
