// The API on Deno (src/deno.ts) from the `deno` npm package in node_modules: what
// `npm run dev:deno`, the e2e tests on Deno and `npm run bench -- --runtime deno` start.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stopper, untilAnswers } from "./child-server.ts";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const denoBin = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));

/**
 * `deno run` of the entry, with only the permissions it uses (it writes nothing but the KV file).
 * deno.json holds the rest: relative imports without extensions (the Workers build resolves them
 * too), KV and Cron (still unstable in Deno 2.9), the request signal of current Deno, the types.
 */
export const denoArgs = (kvPath: string) => [
  "run",
  "--no-prompt",
  "--allow-net",
  "--allow-env",
  "--allow-read",
  `--allow-write=${dirname(resolve(kvPath))}`,
  "src/deno.ts",
];

/** `deno test` of tests/deno/, on loopback only, writing only under `tmp`. */
export const denoTestArgs = (tmp: string) => [
  "test",
  "--no-prompt",
  "--allow-net=127.0.0.1",
  "--allow-env",
  "--allow-read",
  `--allow-write=${tmp}`,
  "tests/deno/",
];

export interface DenoServer {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Deno on `port`; the variables go in its environment (never on its command line), with
 * the hubs' and the queue's KV file at `kvPath`. Resolves once the API answers.
 */
export async function startDeno(opts: {
  port: number;
  vars: Record<string, string>;
  kvPath: string;
  quiet?: boolean;
}): Promise<DenoServer> {
  mkdirSync(dirname(resolve(opts.kvPath)), { recursive: true });
  // Only these: the developer's own environment (a DATABASE_URL, a token) stays out of Deno's.
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DENO_DIR: process.env.DENO_DIR,
    DENO_NO_UPDATE_CHECK: "1",
    ...opts.vars,
    PORT: String(opts.port),
    DENO_KV_PATH: opts.kvPath,
  };
  const child: ChildProcess = spawn(denoBin, denoArgs(opts.kvPath), {
    cwd: root,
    env: env as typeof process.env,
    stdio: ["ignore", opts.quiet ? "ignore" : "inherit", opts.quiet ? "ignore" : "inherit"],
  });
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = stopper(child, 5000);
  await untilAnswers("deno", child, url, 60, stop);
  return { child, url, stop };
}
