// The Deno side's own checks: its front sends the same paths to the app first as wrangler.toml
// does, and the hub's tests on a real KV file (tests/deno/, which need Deno's runtime) pass.
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { denoBin, denoTestArgs, root } from "../../scripts/lib/deno.ts";
import { WORKER_FIRST } from "../../src/runtime/worker-first.ts";

describe("the Deno runtime", () => {
  it("runs the app before the assets for exactly wrangler.toml's run_worker_first paths", () => {
    for (const env of [undefined, "production"]) {
      const config = unstable_readConfig({ config: "wrangler.toml", env });
      expect(config.assets?.run_worker_first).toEqual(WORKER_FIRST);
    }
  });

  it("keeps the hub's contract on a real Deno KV file (deno test tests/deno/)", () => {
    const run = spawnSync(denoBin, denoTestArgs(tmpdir()), {
      cwd: root,
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      timeout: 120_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/ok \| 6 passed \| 0 failed/);
  }, 130_000);
});
