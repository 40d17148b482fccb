// #15: the launcher handed JWT_SECRET, the Upstash token and DATABASE_URL to `wrangler dev` as
// `--var` arguments, which any local user can read in /proc/<pid>/cmdline. They now travel in a
// file only this user can read; no process of the machine carries them in its arguments.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { type DevServer, startWranglerDev } from "../../scripts/lib/wrangler.ts";

const secret = `cmdline-probe-${crypto.randomUUID()}`;
const vars = {
  DATABASE_URL: `postgres://probe:${secret}@127.0.0.1:1/none`,
  // A loopback database is reached through the launcher's HTTP endpoint (see src/config.ts).
  NEON_SQL_ENDPOINT: "http://127.0.0.1:1/sql",
  NEON_SQL_KEY: `${secret}-sql-key`,
  JWT_SECRET: `${secret}-jwt-secret-long-enough`,
  UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1",
  UPSTASH_REDIS_REST_TOKEN: `${secret}-token`,
  WEBHOOK_DNS_URL: "http://127.0.0.1:1/dns-query",
  WEBHOOK_DNS_KEY: `${secret}-dns-key`,
  // A `$` must arrive as written (wrangler expands $NAME in env files).
  APP_VERSION: "1.0$HOME",
  LOG_REQUESTS: "false",
};

/** Every process's arguments, as `ps` or any local user would see them. */
function allCommandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "));
    } catch {
      // The process ended meanwhile.
    }
  }
  return lines;
}

let server: DevServer;
beforeAll(async () => {
  server = await startWranglerDev({ port: await freePort(), vars, quiet: true, logLevel: "warn" });
}, 60_000);
afterAll(() => server?.stop());

describe.runIf(process.platform === "linux")("secrets handed to wrangler dev", () => {
  it("appear in no process's command line, and the Worker still gets them exactly", async () => {
    const leaks = allCommandLines().filter((line) => line.includes(secret));
    expect(leaks).toEqual([]);
    const health = await fetch(`${server.url}/api/health/`);
    expect(((await health.json()) as { version: string }).version).toBe("1.0$HOME");
  });

  it("travel in a file only this user can read", () => {
    const file = allCommandLines()
      .map((line) => /--env-file (\S+)/.exec(line)?.[1])
      .find((path) => path && readFileSync(path, "utf8").includes(secret));
    expect(file).toBeDefined();
    expect(statSync(file!).mode & 0o077).toBe(0);
  });
});
