// Types of /admin/client.js, which scripts/build-assets.mjs bundles from packages/client.
export * from "../../packages/client/src/index.ts";
