// What src/deno.ts itself promises, beyond the suites both runtimes pass: the client's address
// is the connection's, whatever the request says, and no secret is on any command line.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { register } from "../harness/fixtures";
import { useRunningWorker } from "./support";

const LIMIT = 2;
const w = useRunningWorker({ vars: (v) => ({ ...v, REGISTER_LIMIT_PER_IP: String(LIMIT) }) });

describe("the Deno entry", () => {
  it("limits registrations by the connection's address, not by a CF-Connecting-IP the client sends", async () => {
    const statuses = [];
    for (let i = 0; i <= LIMIT; i++) {
      statuses.push((await register(w, undefined, { "CF-Connecting-IP": `203.0.113.${i + 1}` })).status);
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(201), 429]);
  });

  it("hands Deno its secrets in the environment, never on a command line", () => {
    const secrets = [w.vars.JWT_SECRET, w.vars.UPSTASH_REDIS_REST_TOKEN, w.vars.NEON_SQL_KEY].filter(Boolean);
    expect(secrets.length).toBeGreaterThan(0);
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      let line = "";
      try {
        line = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue; // gone already
      }
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });
});
