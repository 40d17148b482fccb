// #17: `npm start` as a user runs it: the production bundle on workerd with the local stack, on a
// database of this file's own. It serves health, the docs page, the console and both sockets, the
// README tour runs against it, and Ctrl-C (SIGINT to its process group, as a terminal sends it)
// leaves no process behind.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { signUp } from "../harness/fixtures";
import { createTestDatabase } from "../support/stack";
import { runReadmeTour } from "./readme-tour";
import { type E2eHarness, harnessFor } from "./support";

const JWT_SECRET = `start-test-${crypto.randomUUID()}-long-enough`;
const ORIGIN = "http://localhost:5173";

/** Every live process whose ancestry leads to `root` (npm, node, workerd...), read from /proc. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      // The command name may hold spaces and parentheses: the fields start after the last ")".
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z") parent.set(Number(d), Number(fields[1]));
    } catch {
      // Ended meanwhile.
    }
  }
  const found = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent)
      if (!found.has(pid) && found.has(ppid)) {
        found.add(pid);
        grew = true;
      }
  }
  return [...found].filter((pid) => parent.has(pid));
}

let child: ChildProcess;
let output = "";
let dataDir: string;
let drop: () => Promise<void>;
let worker: E2eHarness;
let processes: number[] = [];

beforeAll(async () => {
  const stack = inject("stack");
  const database = await createTestDatabase(stack);
  drop = database.drop;
  dataDir = mkdtempSync(join(tmpdir(), "npm-start-"));
  const port = await freePort();
  child = spawn("npm", ["start"], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      JWT_SECRET,
      // A Worker variable from the environment, which the launcher must hand on.
      CORS_ORIGINS: ORIGIN,
      ...(stack.redis ? { REDIS_URL: stack.redis.directUrl } : { REDIS_URL: "" }),
    },
    // Its own process group, so SIGINT reaches npm and everything under it, as Ctrl-C does.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (c: Buffer) => (output += c));
  child.stderr!.on("data", (c: Buffer) => (output += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not get ready in 90 s:\n${output}`)), 90_000);
    child.stdout!.on("data", () => {
      const ready = /API ready at (http:\/\/127\.0\.0\.1:\d+)\/api\//.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
  });
  processes = descendants(child.pid!);
  worker = harnessFor({
    url,
    stack,
    databaseUrl: database.url,
    redisPrefix: "",
    // What the test itself reads of them: the token settings, to sign as the Worker does.
    vars: { JWT_SECRET, DATABASE_URL: database.url, NEON_SQL_ENDPOINT: stack.sqlEndpoint },
    stop: async () => {},
  });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  if (child?.exitCode === null) process.kill(-child.pid!, "SIGKILL");
  await drop?.();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("runs the production bundle on workerd, with the local stack around it", () => {
    expect(output).toContain("(migrations applied)");
    expect(output).toContain("production bundle on workerd");
    const names = processes.map((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" "));
    expect(names.some((n) => /workerd serve/.test(n))).toBe(true);
    // Secrets travel in the generated config (0600), never on a command line.
    for (const n of names) expect(n).not.toContain(JWT_SECRET);
  });

  it("serves health, the docs page and its files, and the console", async () => {
    const health = await worker.request("/api/health/");
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", db: "ok", cache: inject("stack").redis ? "ok" : "off" });

    const docs = await fetch(`${worker.url}/api/docs/`);
    expect(docs.status).toBe(200);
    const page = await docs.text();
    const script = /src="([^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script!, `${worker.url}/api/docs/`));
    expect([asset.status, asset.headers.get("content-type")]).toEqual([200, "text/javascript; charset=utf-8"]);

    const preflight = await fetch(`${worker.url}/api/products/`, {
      method: "OPTIONS",
      headers: { Origin: ORIGIN, "Access-Control-Request-Method": "GET" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ORIGIN);

    const consolePage = await fetch(`${worker.url}/admin/`);
    expect(consolePage.status).toBe(200);
    expect(consolePage.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await consolePage.text()).toContain("<html");
  });

  it("walks the README tour, the customer's socket included", { timeout: 90_000 }, () => runReadmeTour(worker));

  it("opens the staff socket for a staff user and refuses it to a customer", async () => {
    const body = signUp();
    const reg = await worker.api.auth.register.$post({ json: body });
    const customer = ((await reg.json()) as { tokens: { access: string } }).tokens.access;
    const refused = await worker.connect(`/ws/admin/orders/?token=${customer}`);
    expect(refused.res.status).toBe(403);

    await worker.query("update users set is_staff = true where username = $1", [body.username]);
    const login = await worker.api.auth.login.$post({ json: { username: body.username, password: body.password } });
    const staff = ((await login.json()) as { tokens: { access: string } }).tokens.access;
    const socket = await worker.connect(`/ws/admin/orders/?token=${staff}`);
    expect(socket.res.status).toBe(101);
    expect(await socket.next()).toMatchObject({ type: "connection_established" });
  });

  it("stops on Ctrl-C and leaves no process behind", { timeout: 30_000 }, async () => {
    await worker.stop();
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    process.kill(-child.pid!, "SIGINT");
    expect(await exited).toBe(0);
    await expect.poll(() => processes.filter((pid) => descendants(pid).length > 0), { timeout: 10_000 }).toEqual([]);
    // The port is free again.
    const port = Number(new URL(worker.url).port);
    await new Promise<void>((resolve, reject) => {
      const server = createServer().once("error", reject);
      server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
    });
  });
});
