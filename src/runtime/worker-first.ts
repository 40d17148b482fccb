/**
 * wrangler.toml's `[assets] run_worker_first`, for the front that cannot read it (src/deno.ts):
 * these paths go to the app, never to the assets. tests/node/deno.test.ts checks they agree.
 */
export const WORKER_FIRST = ["/api/*", "/ws/*"];
