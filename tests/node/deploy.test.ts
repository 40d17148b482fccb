// #22: `npm run deploy` migrates the production database before it uploads, lists what it would
// apply with --dry-run, and refuses a database a newer Worker has migrated. Run against a
// database of this file's own; the upload itself fails here (no Cloudflare account), after the
// migrations, which is the order that matters.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { uniqueName, withDatabase } from "../support/stack.ts";

const stack = inject("stack");
/** This checkout's migrations, as drizzle-kit's journal lists them. */
const tags = (
  JSON.parse(readFileSync("migrations/meta/_journal.json", "utf8")) as { entries: { tag: string }[] }
).entries.map((e) => e.tag);
const name = uniqueName("deploy");
/** Where the dry runs build. */
const outdir = join(tmpdir(), name);
let admin: string;
let url: string;

async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(target: string, text: string) {
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

/** `npm run deploy` with this file's database as the production one; CI's offline settings. */
function deploy(...args: string[]) {
  const { DATABASE_URL, CLOUDFLARE_API_TOKEN, ...env } = process.env;
  const run = spawnSync("npm", ["run", "--silent", "deploy", "--", ...args], {
    env: { ...env, DEPLOY_DATABASE_URL: url, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

const tables = async () =>
  Number((await sql<{ n: string }>(url, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'"))[0]!.n);

describe.runIf(stack.database === "postgres")("npm run deploy", () => {
  beforeAll(async () => {
    // An empty database on the tests' Postgres server (the migrated template is not wanted here).
    admin = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    await sql(admin, `CREATE DATABASE "${name}"`);
    url = withDatabase(admin, name);
  });
  afterAll(async () => {
    if (admin) await sql(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    rmSync(outdir, { recursive: true, force: true });
  });

  it("--dry-run lists the pending migrations, builds, and writes nothing", { timeout: 120_000 }, async () => {
    const { code, out } = deploy("--dry-run", "--outdir", outdir);
    expect(code, out).toBe(0);
    expect(out).toContain(`migrations: would apply ${tags.length} (${tags.join(", ")})`);
    expect(out).toContain("--dry-run: exiting now.");
    expect(await tables()).toBe(0);
  });

  it("applies them before the upload, which then fails here for want of an account", { timeout: 120_000 }, async () => {
    const { code, out } = deploy();
    expect(out).toContain(`migrations: applied ${tags.length} (${tags.join(", ")})`);
    expect(code).not.toBe(0);
    expect(await tables()).toBeGreaterThan(5);
    expect(deploy("--dry-run", "--outdir", outdir).out).toContain("migrations: would apply 0 (none)");
  });

  it("refuses a database migrated by a newer Worker, and touches nothing", { timeout: 60_000 }, async () => {
    await sql(
      url,
      "INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('from-the-future', 4102444800000)",
    );
    for (const args of [[], ["--dry-run"]]) {
      const { code, out } = deploy(...args);
      expect(code, out).toBe(2);
      expect(out).toContain("the database has 1 migration(s) this checkout does not know");
      expect(out).not.toContain("--dry-run: exiting now.");
    }
  });
});
