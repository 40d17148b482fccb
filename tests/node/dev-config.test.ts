// #22: `.dev.vars` means one thing, the Worker's variables, and the launchers hand every one of
// them to the Worker; their own settings live in `.stack.env`. `npm run stack` writes its
// endpoints into `.dev.vars` between markers and takes them out again, leaving the rest alone.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadDevConfig } from "../../scripts/lib/dev-config.ts";
import { removeStackBlock, writeStackBlock } from "../../scripts/lib/dev-vars.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dev-config-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the launchers' configuration", () => {
  it("gives the Worker every variable of .dev.vars, the environment winning, and keeps its own settings apart", () => {
    writeFileSync(join(dir, ".dev.vars"), "CORS_ORIGINS=http://localhost:5173\nLOG_REQUESTS=true\nSOMETHING=else\n");
    writeFileSync(join(dir, ".stack.env"), "PORT=9001\nREDIS_URL=redis://127.0.0.1:6379\n");
    const cfg = loadDevConfig(dir, { LOG_REQUESTS: "false", DATA_DIR: "/tmp/x", HOME: "/root" });
    expect(cfg.worker).toEqual({ CORS_ORIGINS: "http://localhost:5173", LOG_REQUESTS: "false" });
    expect(cfg).toMatchObject({ PORT: 9001, REDIS_URL: "redis://127.0.0.1:6379", DATA_DIR: "/tmp/x" });
  });

  it("still reads a launcher setting left in .dev.vars, saying where it belongs", () => {
    writeFileSync(join(dir, ".dev.vars"), "PORT=9002\n");
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const cfg = loadDevConfig(dir, {});
    expect(cfg.PORT).toBe(9002);
    expect(cfg.worker).toEqual({});
    expect(errors.mock.calls.join("")).toContain("belong in .stack.env");
    errors.mockRestore();
  });

  it("treats an empty value as unset, so REDIS_URL= in the environment turns the cache off", () => {
    writeFileSync(join(dir, ".stack.env"), "REDIS_URL=redis://127.0.0.1:6379\n");
    expect(loadDevConfig(dir, { REDIS_URL: "" }).REDIS_URL).toBeUndefined();
  });
});

describe("npm run stack's block in .dev.vars", () => {
  it("is written after the developer's lines, readable by this user only, and removed without touching them", () => {
    const file = join(dir, ".dev.vars");
    const own = "# mine\nCORS_ORIGINS=http://localhost:5173";
    writeFileSync(file, own, { mode: 0o644 });
    writeStackBlock(file, { NEON_SQL_ENDPOINT: "http://127.0.0.1:1/sql", NEON_SQL_KEY: "k".repeat(48) });
    writeStackBlock(file, { NEON_SQL_ENDPOINT: "http://127.0.0.1:2/sql", NEON_SQL_KEY: "j".repeat(48) });
    const text = readFileSync(file, "utf8");
    expect(text.startsWith(`${own}\n# >>> npm run stack`)).toBe(true);
    expect(text).toContain("NEON_SQL_ENDPOINT='http://127.0.0.1:2/sql'");
    expect(text).not.toContain("127.0.0.1:1");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The launchers read the developer's variables, never a block a dead stack may have left.
    expect(loadDevConfig(dir, {}).worker).toEqual({ CORS_ORIGINS: "http://localhost:5173" });
    removeStackBlock(file);
    expect(readFileSync(file, "utf8")).toBe(`${own}\n`);
  });

  it("refuses a value that would not survive the file's quoting", () => {
    expect(() => writeStackBlock(join(dir, ".dev.vars"), { X: "it's" })).toThrow(/quote or newline/);
  });
});
