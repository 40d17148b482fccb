// npm run import:django -- --from <postgres url of the Django shop> [--dry-run]
// Copies the Django shop's users (passwords as they are), profiles, catalog, carts and orders into
// ours, ids kept: README "Moving from the Django shop". Exit 0: imported, already imported, or a
// dry run; 2: refused, nothing written; 1: failed, nothing written.
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import * as z from "zod";
import { conflicts, findings, readUsers } from "./import-django/checks.ts";
import { summary } from "./import-django/report.ts";
import { Source, where } from "./import-django/source.ts";
import { COPIES } from "./import-django/tables.ts";
import { copyInto, verdict } from "./import-django/target.ts";
import { invalidateCatalogCache } from "./lib/catalog-cache.ts";
import { loadDevConfig } from "./lib/dev-config.ts";
import { applyMigrations } from "./lib/migrate.ts";
import { progress } from "./lib/progress.ts";
import { type Database, openDatabase } from "./lib/stack.ts";

const usage = "usage: npm run import:django -- --from postgres://USER:PASSWORD@HOST:5432/DATABASE [--dry-run]";

const argsSchema = z.object({
  from: z
    .string({ error: "is required" })
    .regex(/^postgres(ql)?:\/\/[^/]+\/./, "must be a postgres:// URL naming a database"),
  "dry-run": z.boolean().default(false),
});

/** A refusal: one line (and the list it announces) on stderr, exit 2, nothing written. */
class Refusal extends Error {}

/** The driver's message, with Postgres's detail when it gives one; never a stack. */
function messageOf(err: unknown): string {
  const e = err as { message?: string; detail?: string };
  const message = (e.message ?? String(err)).split("\n")[0];
  return e.detail ? `${message} (${e.detail})` : message!;
}

const say = (lines: string[]) => console.log(lines.join("\n"));

function usageError(message: string): never {
  console.error(`import-django: ${message}\n${usage}`);
  process.exit(2);
}

function parseArguments(): z.infer<typeof argsSchema> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ options: { from: { type: "string" }, "dry-run": { type: "boolean" } } }));
  } catch (err) {
    usageError(messageOf(err));
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) usageError(parsed.error.issues.map((i) => `--${i.path.join(".")} ${i.message}`).join("; "));
  return parsed.data;
}

async function run(source: Source, database: Database, dryRun: boolean, redisUrl?: string): Promise<void> {
  const target = database.embedded ? "the embedded database" : `DATABASE_URL (${where(database.url)})`;
  const schema = await source.schema();
  if (schema.problems.length) {
    throw new Refusal(`${source.name} is not the Django shop's database: ${schema.problems.join(", ")}`);
  }
  const users = await readUsers(source);
  const found = await conflicts(source, users);
  if (found.length) {
    throw new Refusal(
      `refused: ${found.length} ${found.length === 1 ? "conflict" : "conflicts"} in ${source.name} that ours cannot take; nothing written. Fix them in the original, then run again:\n  ${found.join("\n  ")}`,
    );
  }
  // The data this run would copy, as the source's server digests it: the same data again is a no-op.
  const digests: Record<string, { rows: number; digest: string }> = {};
  for (const copy of COPIES) digests[copy.table] = await source.digest(copy);
  const fingerprint = createHash("sha256").update(JSON.stringify(digests)).digest("hex");
  const rows: Record<string, number> = Object.fromEntries(COPIES.map((c) => [c.table, digests[c.table]!.rows]));
  rows.order_status_history = rows.orders!;
  const facts = await findings(source, users);

  const client = new pg.Client({ connectionString: database.url });
  client.on("error", () => {});
  await client.connect().catch((err: unknown) => {
    throw new Refusal(`could not reach ${target}: ${messageOf(err)}`);
  });
  try {
    const before = await verdict(client, fingerprint);
    if (before.kind === "done") {
      say([
        `import-django: ${target} already holds this data, imported from ${before.source} (${before.at}); nothing to do`,
      ]);
      return;
    }
    if (before.kind === "refused") {
      throw new Refusal(
        `${target} cannot take the import: ${before.why}. Import into a new, empty database; nothing written`,
      );
    }
    if (dryRun) {
      const migrations = before.kind === "unmigrated" ? ", after applying the migrations it has not had yet" : "";
      say([
        `import-django: dry run, nothing written. Would copy from ${source.name} into ${target}${migrations}:`,
        ...summary({ rows, findings: facts, extra: schema.extra }),
      ]);
      return;
    }
    await applyMigrations(database.url);
    const started = performance.now();
    const total = COPIES.reduce((sum, c) => sum + rows[c.table]!, 0);
    await client.query("BEGIN");
    let written: Awaited<ReturnType<typeof copyInto>>;
    try {
      written = await copyInto(
        client,
        source,
        { fingerprint, source: source.name, counts: rows },
        progress("import-django", total, { unit: "rows", every: 5000 }),
      );
      await client.query("kind" in written ? "ROLLBACK" : "COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    }
    // Another run got there between the first look and the lock.
    if ("kind" in written) {
      if (written.kind === "done") return say([`import-django: ${target} already holds this data; nothing to do`]);
      throw new Refusal(`${target} cannot take the import: it changed while this run started; nothing written`);
    }
    await invalidateCatalogCache(redisUrl, database.url);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    say([
      `import-django: copied from ${source.name} into ${target} in ${seconds} s:`,
      ...summary({
        rows: { ...rows, order_status_history: written.history },
        findings: facts,
        extra: schema.extra,
        highest: written.highest,
      }),
    ]);
  } finally {
    await client.end().catch(() => {});
  }
}

const args = parseArguments();
const cfg = loadDevConfig();
let source: Source;
try {
  source = await Source.open(args.from);
} catch (err) {
  console.error(`import-django: could not read the source database ${where(args.from)}: ${messageOf(err)}`);
  process.exit(2);
}
const database = await openDatabase(cfg);
try {
  await run(source, database, args["dry-run"], cfg.REDIS_URL);
} catch (err) {
  const refused = err instanceof Refusal;
  console.error(`import-django: ${refused ? err.message : `failed, nothing written: ${messageOf(err)}`}`);
  process.exitCode = refused ? 2 : 1;
} finally {
  await source.close();
  await database.close();
}
