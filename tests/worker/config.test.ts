// A Worker started without its variables (plain `wrangler dev` with no .dev.vars, a deploy that
// forgot a secret) answers every request 503 with one line in the contract's shape, and its log
// names each problem: never a bare 500.
import { afterEach, describe, expect, it, vi } from "vitest";
import { WORKER_VARIABLES } from "../../scripts/lib/worker-variables.ts";
import { variables } from "../../src/config";
import { useWorker } from "./support";

const w = useWorker();

afterEach(() => vi.restoreAllMocks());

async function misconfigured(overrides: Record<string, string | undefined>) {
  const logged: string[] = [];
  vi.spyOn(console, "error").mockImplementation((line: unknown) => logged.push(String(line)));
  const res = await w.request("/api/products/", {}, overrides as never);
  return { status: res.status, body: await res.json(), logged: logged.join("\n") };
}

describe("missing or wrong Worker variables", () => {
  it("answer 503 and log every problem", async () => {
    const got = await misconfigured({ DATABASE_URL: undefined, JWT_SECRET: "short" });
    expect([got.status, got.body]).toEqual([
      503,
      { detail: "The server is not configured: its log names what is missing." },
    ]);
    expect(got.logged).toContain("invalid configuration");
    expect(got.logged).toContain("DATABASE_URL");
    expect(got.logged).toContain("JWT_SECRET must be at least 32 characters");
  });

  it("say how to reach a Postgres on this machine, which the Neon driver cannot without an endpoint", async () => {
    const got = await misconfigured({
      DATABASE_URL: "postgres://postgres@127.0.0.1:5432/shop",
      NEON_SQL_ENDPOINT: undefined,
      NEON_SQL_KEY: undefined,
    });
    expect(got.status).toBe(503);
    expect(got.logged).toContain("DATABASE_URL names a Postgres on this machine");
    expect(got.logged).toContain("npm run dev");
    expect(got.logged).toContain("`npm run stack` beside `wrangler dev`");
  });

  it("are the ones the launchers take from the environment for the Worker", () => {
    expect([...WORKER_VARIABLES].sort()).toEqual(Object.keys(variables.shape).sort());
  });
});
