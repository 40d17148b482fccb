// The production bundle served by bare `workerd` (the open-source runtime Workers run on), from
// the project's own node_modules, with a generated config: what `npm start` and the bench run.

import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_readConfig } from "wrangler";
import { stopper, untilAnswers } from "./child-server.ts";
import { freePort } from "./free-port.ts";
import { offlineEnv, wranglerBin } from "./wrangler.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const workerdBin = join(root, "node_modules/.bin/workerd");
const frontFiles = fileURLToPath(new URL("../start/", import.meta.url));

/** Builds exactly what `npm run deploy` uploads (`wrangler deploy --dry-run --env production`), assets included. */
export async function buildBundle(outDir: string): Promise<void> {
  const child = spawn(wranglerBin, ["deploy", "--dry-run", "--env", "production", "--outdir", outDir], {
    cwd: root,
    env: { ...process.env, ...offlineEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c));
  child.stderr!.on("data", (c: Buffer) => (output += c));
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  if (code !== 0) throw new Error(`building the bundle failed (${code}):\n${output}`);
}

/** Cap'n Proto text: a string literal. */
const text = (value: string) => JSON.stringify(value);

export interface WorkerdOptions {
  port: number;
  /** The Worker's variables and secrets (they go into a 0600 config file, never on a command line). */
  vars: Record<string, string>;
  /** Where `buildBundle` wrote the bundle. */
  bundleDir: string;
  /** Durable Object storage (SQLite files); kept between runs. */
  persistDir: string;
  quiet?: boolean;
}

export interface Workerd {
  child: ChildProcess;
  url: string;
  /** Runs the Cron sweep now (workerd alone has no Cron Triggers); answers how many events went out. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

function configText(opts: WorkerdOptions, controlPort: number, secret: string): string {
  const wrangler = unstable_readConfig({ config: join(root, "wrangler.toml"), env: "production" });
  const vars = { ...(wrangler.vars as Record<string, string>), ...opts.vars };
  // nodejs_compat is on by default for this compatibility date; workerd warns when it is listed.
  const flags = wrangler.compatibility_flags.filter((f: string) => f !== "nodejs_compat");
  const hubs: { name: string; class_name: string }[] = wrangler.durable_objects.bindings ?? [];
  const bindings = [
    ...Object.entries(vars).map(([name, value]) => `(name = ${text(name)}, text = ${text(value)})`),
    ...hubs.map((b) => `(name = ${text(b.name)}, durableObjectNamespace = ${text(b.class_name)})`),
  ];
  const classes = hubs.map(
    (b) => `(className = ${text(b.class_name)}, uniqueKey = ${text(`edge-shop-${b.class_name}`)}, enableSql = true)`,
  );
  const assets = resolve(root, wrangler.assets?.directory ?? "public");
  const workerFirst = JSON.stringify(wrangler.assets?.run_worker_first ?? ["/*"]);
  const common = `compatibilityDate = ${text(wrangler.compatibility_date!)}, compatibilityFlags = [${flags.map(text).join(", ")}]`;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "front", worker = (modules = [(name = "router.js", esModule = embed "router.js")], ${common},
      bindings = [(name = "APP", service = "app"), (name = "ASSETS", service = "assets"), (name = "WORKER_FIRST", text = ${text(workerFirst)})])),
    (name = "control", worker = (modules = [(name = "control.js", esModule = embed "control.js")], ${common},
      bindings = [(name = "SWEEP", service = (name = "app", entrypoint = "Sweep")), (name = "SECRET", text = ${text(secret)})])),
    (name = "app", worker = (modules = [(name = "index.js", esModule = embed "index.js")], ${common},
      bindings = [${bindings.join(", ")}],
      durableObjectNamespaces = [${classes.join(", ")}],
      durableObjectStorage = (localDisk = "do-storage"),
      globalOutbound = "internet")),
    (name = "assets", disk = (path = ${text(assets)}, writable = false)),
    (name = "do-storage", disk = (path = ${text(resolve(opts.persistDir))}, writable = true)),
    (name = "internet", network = (allow = ["public", "local"])),
  ],
  sockets = [
    (name = "http", address = ${text(`127.0.0.1:${opts.port}`)}, http = (), service = "front"),
    (name = "control", address = ${text(`127.0.0.1:${controlPort}`)}, http = (), service = "control"),
  ],
);
`;
}

/** Starts workerd on the bundle; resolves once it answers. Stop it with `stop()`, which also removes its config. */
export async function startWorkerd(opts: WorkerdOptions): Promise<Workerd> {
  mkdirSync(opts.persistDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "shop-workerd-"));
  const controlPort = await freePort();
  const secret = crypto.randomUUID();
  copyFileSync(join(opts.bundleDir, "index.js"), join(dir, "index.js"));
  copyFileSync(fileURLToPath(new URL("../../src/runtime/front.js", import.meta.url)), join(dir, "router.js"));
  copyFileSync(join(frontFiles, "control.js"), join(dir, "control.js"));
  writeFileSync(join(dir, "config.capnp"), configText(opts, controlPort, secret), { mode: 0o600 });
  const child = spawn(workerdBin, ["serve", join(dir, "config.capnp")], {
    cwd: dir,
    stdio: ["ignore", opts.quiet ? "ignore" : "inherit", opts.quiet ? "ignore" : "inherit"],
  });
  child.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = stopper(child, 3000);
  const sweep = async () => {
    const res = await fetch(`http://127.0.0.1:${controlPort}/sweep`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}` },
    });
    if (!res.ok) throw new Error(`sweep answered ${res.status}`);
    return ((await res.json()) as { delivered: number }).delivered;
  };
  await untilAnswers("workerd", child, url, 20, stop);
  return { child, url, sweep, stop };
}
