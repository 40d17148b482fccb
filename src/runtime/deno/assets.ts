import { join, resolve, sep } from "node:path";

/**
 * The static assets directory (`public/`, filled by scripts/build-assets.mjs) as the `ASSETS`
 * Fetcher src/runtime/front.js asks; GET and HEAD only, nothing outside the directory.
 */
export function assetsFetcher(directory: string): Fetcher {
  const root = resolve(directory);
  return {
    async fetch(input: RequestInfo | URL, init?: RequestInit) {
      const url = new URL(input instanceof Request ? input.url : String(input));
      try {
        const path = resolve(join(root, decodeURIComponent(url.pathname)));
        if (!path.startsWith(root + sep)) return new Response(null, { status: 404 });
        const file = await Deno.open(path, { read: true });
        const info = await file.stat();
        if (!info.isFile) {
          file.close();
          return new Response(null, { status: 404 });
        }
        const head = (init?.method ?? "GET") === "HEAD";
        if (head) file.close();
        return new Response(head ? null : file.readable, { headers: { "content-length": String(info.size) } });
      } catch {
        return new Response(null, { status: 404 });
      }
    },
  } as Fetcher;
}
