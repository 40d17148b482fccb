// #22: plain `npx wrangler dev`, as a Workers developer runs it, against this machine's Postgres and
// Redis: `.dev.vars` names the database (and a variable of the developer's own), `npm run stack`
// in another terminal serves the endpoints the Worker's clients speak and writes them into
// `.dev.vars`, and wrangler reads that file by itself. The project is a directory of links to
// this checkout, so the test's `.dev.vars` is not the developer's.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { offlineEnv, wranglerBin } from "../../scripts/lib/wrangler.ts";
import { createTestDatabase } from "../support/stack";
import { runReadmeTour } from "./readme-tour";
import { type E2eHarness, harnessFor } from "./support";

const JWT_SECRET = `plain-wrangler-${crypto.randomUUID()}-long-enough`;
const ORIGIN = "http://localhost:5173";
/** Links to everything of the checkout but what a developer keeps per machine. */
const LOCAL = new Set([".dev.vars", ".stack.env", ".data", ".wrangler", ".git"]);

let project: string;
let devVars: string;
let written: string;
let drop: () => Promise<void>;
const children: ChildProcess[] = [];
let worker: E2eHarness;

function run(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: project, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${command} ${args[0]} not ready in 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) {
        clearTimeout(timer);
        done(child);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => fail(new Error(`${command} ${args[0]} exited (${code}):\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", () => done());
    process.kill(-child.pid!, "SIGINT");
  });
}

beforeAll(async () => {
  const stack = inject("stack");
  const database = await createTestDatabase(stack);
  drop = database.drop;
  project = mkdtempSync(join(tmpdir(), "plain-wrangler-"));
  for (const entry of readdirSync(".")) if (!LOCAL.has(entry)) symlinkSync(resolve(entry), join(project, entry));
  devVars = join(project, ".dev.vars");
  written = `DATABASE_URL=${database.url}\nJWT_SECRET=${JWT_SECRET}\nCORS_ORIGINS=${ORIGIN}\n`;
  writeFileSync(devVars, written, { mode: 0o600 });
  writeFileSync(join(project, ".stack.env"), `DATA_DIR=${join(project, ".data")}\n`);

  const env: NodeJS.ProcessEnv = { ...process.env, ...offlineEnv, REDIS_URL: stack.redis?.directUrl ?? "" };
  for (const name of ["DATABASE_URL", "JWT_SECRET", "PORT", "DATA_DIR"]) delete env[name];
  await run("npm", ["run", "stack"], env, /Stack ready/);
  const port = await freePort();
  await run(wranglerBin, ["dev", "--ip", "127.0.0.1", "--port", String(port)], env, /Ready on http/);
  worker = harnessFor({
    url: `http://127.0.0.1:${port}`,
    stack,
    databaseUrl: database.url,
    redisPrefix: "",
    vars: { JWT_SECRET, DATABASE_URL: database.url, NEON_SQL_ENDPOINT: stack.sqlEndpoint },
    stop: async () => {},
  });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  for (const child of children.reverse()) await stop(child);
  await drop?.();
  if (project) rmSync(project, { recursive: true, force: true });
}, 30_000);

describe("plain wrangler dev beside npm run stack", () => {
  it("finds the stack's endpoints in .dev.vars, after the developer's own lines", () => {
    const text = readFileSync(devVars, "utf8");
    expect(text.startsWith(written)).toBe(true);
    expect(text).toMatch(/^NEON_SQL_ENDPOINT='http:\/\/127\.0\.0\.1:\d+/m);
    if (inject("stack").redis) expect(text).toMatch(/^UPSTASH_REDIS_REST_TOKEN='\w+'$/m);
  });

  it("serves the API from this machine's Postgres and Redis, with the developer's variables", async () => {
    const health = await worker.request("/api/health/");
    expect(await health.json()).toMatchObject({ status: "ok", db: "ok", cache: inject("stack").redis ? "ok" : "off" });
    const preflight = await fetch(`${worker.url}/api/products/`, {
      method: "OPTIONS",
      headers: { Origin: ORIGIN, "Access-Control-Request-Method": "GET" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ORIGIN);
  });

  it("walks the README tour", { timeout: 90_000 }, () => runReadmeTour(worker));

  it("takes its lines out of .dev.vars on Ctrl-C, leaving the developer's as they were", {
    timeout: 30_000,
  }, async () => {
    await stop(children[0]!);
    expect(readFileSync(devVars, "utf8")).toBe(written);
  });
});
