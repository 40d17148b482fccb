// What hono-openapi's zod support takes from `zod/v4/core`. wrangler.toml aliases that module here:
// its dynamic `import("zod/v4/core")` would otherwise bundle every zod locale (about 60 KiB gzipped),
// while `toJSONSchema` is all it calls, and `zod` already has it.
export { toJSONSchema } from "zod";
