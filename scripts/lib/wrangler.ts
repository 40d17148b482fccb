import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const wranglerBin = fileURLToPath(new URL("../../node_modules/.bin/wrangler", import.meta.url));

/** Keeps wrangler from phoning home: no metrics, no update check, no cf-object fetch. */
export const offlineEnv = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

export interface DevServer {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * The Worker's variables as a dotenv file only this user can read, for `--env-file`: on the command
 * line (`--var`) any local user could read them in /proc/<pid>/cmdline, secrets included.
 * Values are single-quoted and `$` is escaped, since wrangler expands `$NAME` in env files.
 */
function writeVarsFile(vars: Record<string, string>): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "shop-vars-"));
  const lines = Object.entries(vars).map(([key, value]) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key) || /['\n\r]/.test(value))
      throw new Error(`cannot pass ${key} to wrangler dev (quote or newline in its value)`);
    return `${key}='${value.replaceAll("$", "\\$")}'`;
  });
  const path = join(dir, "worker.env");
  writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `wrangler dev` in its own process group, so stopping it takes workerd along
 * (killing workerd alone makes wrangler restart it).
 */
export function startWranglerDev(opts: {
  port: number;
  vars: Record<string, string>;
  extraArgs?: string[];
  quiet?: boolean;
  /**
   * "warn" drops wrangler's own per-request log line (a loopback call into wrangler's Node process
   * for every request; benchmarks use it). Wrangler then prints no "Ready on" line, so readiness
   * is found by polling the port instead.
   */
  logLevel?: "info" | "warn";
}): Promise<DevServer> {
  const varsFile = writeVarsFile(opts.vars);
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(opts.port),
    "--test-scheduled",
    "--show-interactive-dev-session=false",
  ];
  args.push("--env-file", varsFile.path);
  if (opts.logLevel === "warn") args.push("--log-level", "warn");
  args.push(...(opts.extraArgs ?? []));
  const child = spawn(wranglerBin, args, {
    env: { ...process.env, ...offlineEnv },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.once("exit", () => varsFile.remove());
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        resolve();
      }
      setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {}
      }, 3000).unref();
    });
  return new Promise((resolve, reject) => {
    let output = "";
    let ready = false;
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      if (!opts.quiet) process.stdout.write(text);
      // Only scanned until ready: wrangler logs a line per request, and re-scanning a growing
      // buffer on every line made this process slower with every request served.
      if (ready) return;
      output += text;
      const match = /Ready on (http:\/\/[\w.:[\]]+)/.exec(output);
      if (match) {
        ready = true;
        output = "";
        resolve({ child, url: match[1]!, stop });
      }
    };
    child.stdout!.on("data", onData);
    if (opts.logLevel === "warn") {
      // Wrangler's proxy holds requests until the Worker is up, so any answer means ready.
      const url = `http://127.0.0.1:${opts.port}`;
      const poll = () => {
        if (ready || child.exitCode !== null) return;
        fetch(url, { signal: AbortSignal.timeout(30_000) }).then(
          async (res) => {
            await res.body?.cancel();
            ready = true;
            resolve({ child, url, stop });
          },
          () => setTimeout(poll, 100),
        );
      };
      poll();
    }
    child.stderr!.on("data", (chunk: Buffer) => {
      if (!opts.quiet) process.stderr.write(chunk);
    });
    child.once("exit", (code) =>
      reject(new Error(`wrangler dev exited with code ${code} before it was ready\n${output}`)),
    );
  });
}
