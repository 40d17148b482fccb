import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import * as z from "zod";

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .optional(),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  DATA_DIR: z.string().default(".data"),
});

export type DevConfig = z.infer<typeof schema>;

/** Environment variables win over `.dev.vars`; a bad value stops start-up with every problem listed. */
export function loadDevConfig(file = ".dev.vars"): DevConfig {
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, "utf8")) : {};
  const result = schema.safeParse({ ...fromFile, ...process.env });
  if (!result.success) {
    console.error(`Invalid configuration (environment or ${file}):\n${z.prettifyError(result.error)}`);
    process.exit(1);
  }
  return result.data;
}
