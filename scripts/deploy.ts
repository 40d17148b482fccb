// npm run deploy [-- --dry-run] [wrangler deploy options]: brings the production database's schema
// up to this checkout's migrations, then uploads the Worker (`wrangler deploy --env production`).
// The database is DEPLOY_DATABASE_URL from the environment (its own name, so the DATABASE_URL of
// local development is never migrated by mistake; never an argument: command lines are readable
// by every local user). It refuses a database a newer Worker has already migrated;
// `--dry-run` lists what it would apply and builds without uploading or writing anything.
import { spawnSync } from "node:child_process";
import { applyMigrations, migrationStatus } from "./lib/migrate.ts";
import { offlineEnv, wranglerBin } from "./lib/wrangler.ts";

const args = process.argv.slice(2);
const dryRun = args.includes("--dry-run");
const databaseUrl = process.env.DEPLOY_DATABASE_URL;

function refuse(message: string): never {
  console.error(`deploy: ${message}`);
  process.exit(2);
}

if (!databaseUrl) {
  if (!dryRun) refuse("set DEPLOY_DATABASE_URL to the production database, so its migrations are applied first");
  console.log("migrations: not checked (no DEPLOY_DATABASE_URL)");
} else {
  let status: Awaited<ReturnType<typeof migrationStatus>>;
  try {
    status = await migrationStatus(databaseUrl);
  } catch (err) {
    refuse(`cannot read the database's migrations: ${(err as Error).message}`);
  }
  if (status.unknown.length > 0) {
    refuse(
      `the database has ${status.unknown.length} migration(s) this checkout does not know (a newer Worker applied them); deploy that code instead`,
    );
  }
  const list = status.pending.length ? status.pending.join(", ") : "none";
  if (dryRun) console.log(`migrations: would apply ${status.pending.length} (${list})`);
  else {
    await applyMigrations(databaseUrl);
    console.log(`migrations: applied ${status.pending.length} (${list})`);
  }
}

// A dry run builds offline (no metrics, no account lookups), as CI runs it.
const env = dryRun ? { ...process.env, ...offlineEnv } : process.env;
const upload = spawnSync(wranglerBin, ["deploy", "--env", "production", ...args], { stdio: "inherit", env });
process.exit(upload.status ?? 1);
