// Two files, one meaning each. `.dev.vars` holds the Worker's variables, wrangler's convention:
// plain `wrangler dev` reads it, and the launchers hand every one of them to the Worker. The
// launchers' own settings (port, data directory, the Redis behind the local Upstash endpoint)
// are in `.stack.env`. The environment overrides both.
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import * as z from "zod";
import { withoutStackBlock } from "./dev-vars.ts";
import { WORKER_VARIABLES } from "./worker-variables.ts";

const LAUNCHER_SETTINGS = ["PORT", "REDIS_URL", "DATA_DIR"] as const;

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8787),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .optional(),
  DATA_DIR: z.string().default(".data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
});

export type DevConfig = z.infer<typeof schema> & {
  /** The Worker's variables from `.dev.vars` and the environment, to hand to the Worker as they are. */
  worker: Record<string, string>;
};

const read = (file: string) => (existsSync(file) ? parseEnv(withoutStackBlock(readFileSync(file, "utf8"))) : {});
/** `names` from each source, later sources winning; an empty value (`REDIS_URL=`) unsets. */
function pick(names: readonly string[], ...sources: Record<string, string | undefined>[]): Record<string, string> {
  const merged: Record<string, string | undefined> = {};
  for (const source of sources) for (const n of names) if (source[n] !== undefined) merged[n] = source[n];
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => Boolean(e[1])));
}

/** A bad value stops start-up with every problem listed. */
export function loadDevConfig(dir = ".", env: NodeJS.ProcessEnv = process.env): DevConfig {
  const devVars = read(`${dir}/.dev.vars`);
  const misplaced = LAUNCHER_SETTINGS.filter((n) => n in devVars);
  if (misplaced.length)
    console.error(
      `note: ${misplaced.join(", ")} in .dev.vars: the launchers' own settings belong in .stack.env (.dev.vars is the Worker's); read from .dev.vars this time`,
    );
  const worker = pick(WORKER_VARIABLES, devVars, env);
  const settings = pick(LAUNCHER_SETTINGS, devVars, read(`${dir}/.stack.env`), env);
  const result = schema.safeParse({ ...settings, ...worker });
  if (!result.success) {
    console.error(`Invalid configuration (environment, .dev.vars or .stack.env):\n${z.prettifyError(result.error)}`);
    process.exit(1);
  }
  return { ...result.data, worker };
}
