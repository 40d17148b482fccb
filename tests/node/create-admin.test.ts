// #22: `create-admin` takes the password from stdin (or a prompt on a terminal), not from the
// command line, where every local user can read it; the old `--password` still works, with a warning.
import { spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { verifyPassword } from "../../src/lib/passwords.ts";
import { createTestDatabase } from "../support/stack.ts";

let database: { url: string; drop(): Promise<void> };
beforeAll(async () => {
  database = await createTestDatabase(inject("stack"));
});
afterAll(() => database?.drop());

function createAdmin(args: string[], input?: string) {
  const run = spawnSync("npm", ["run", "--silent", "create-admin", "--", ...args], {
    env: { ...process.env, DATABASE_URL: database.url },
    encoding: "utf8",
    input,
    timeout: 60_000,
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

async function stored(username: string) {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ password_hash: string; is_staff: boolean }>(
      "select password_hash, is_staff from users where username = $1",
      [username],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

describe("npm run create-admin", () => {
  it("reads the password from stdin's first line", async () => {
    const { code, out } = createAdmin(
      ["--username", "piped_admin", "--email", "piped@example.com"],
      "piped-pass-123\nignored\n",
    );
    expect(code, out).toBe(0);
    expect(out).toContain('created staff user "piped_admin"');
    const row = await stored("piped_admin");
    expect(row?.is_staff).toBe(true);
    expect(await verifyPassword("piped-pass-123", row!.password_hash)).toBe(true);
  });

  it("checks a piped password like any other, and writes nothing when it is refused", async () => {
    for (const [input, message] of [
      ["short\n", "at least 8 characters"],
      ["12345678901\n", "entirely numeric"],
      ["", "at least 8 characters"],
    ] as const) {
      const { code, out } = createAdmin(["--username", "weak_admin", "--email", "weak@example.com"], input);
      expect(code, out).toBe(2);
      expect(out).toContain(message);
    }
    expect(await stored("weak_admin")).toBeUndefined();
  });

  it("still takes --password, warning that other users can read it", async () => {
    const { code, out } = createAdmin([
      "--username",
      "flag_admin",
      "--email",
      "flag@example.com",
      "--password",
      "flag-pass-123",
    ]);
    expect(code, out).toBe(0);
    expect(out).toContain("--password can be read by other local users");
    expect(await verifyPassword("flag-pass-123", (await stored("flag_admin"))!.password_hash)).toBe(true);
  });
});
