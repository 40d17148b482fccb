// Our database: whether it may take the import, and the copy itself, in one transaction, so any
// failure leaves it as it was (sequences included: they are moved last, just before the commit).
import type pg from "pg";
import type { Progress } from "../lib/progress.ts";
import type { Source } from "./source.ts";
import { COPIES, type Copy, FILLED } from "./tables.ts";

interface State {
  migrated: boolean;
  /** Rows in each table the import fills. */
  rows: Record<string, number>;
  imports: { fingerprint: string; source: string; at: string }[];
}

export type Verdict =
  | { kind: "empty" }
  | { kind: "done"; source: string; at: string }
  | { kind: "refused"; why: string }
  | { kind: "unmigrated" };

async function state(client: pg.Client): Promise<State> {
  const [tables] = (
    await client.query<{ users: boolean; imports: boolean }>(
      "SELECT to_regclass('users') IS NOT NULL AS users, to_regclass('django_imports') IS NOT NULL AS imports",
    )
  ).rows;
  if (!tables!.users) return { migrated: false, rows: {}, imports: [] };
  const counts = FILLED.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(", ");
  const rows = (await client.query<Record<string, number>>(`SELECT ${counts}`)).rows[0]!;
  const imports = tables!.imports
    ? (
        await client.query<State["imports"][number]>(
          `SELECT fingerprint, source, to_char(imported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS at
           FROM django_imports ORDER BY id`,
        )
      ).rows
    : [];
  return { migrated: true, rows, imports };
}

/** Empty: go ahead. This very data imported before: nothing to do. Anything else: refuse. */
export async function verdict(client: pg.Client, fingerprint: string): Promise<Verdict> {
  const s = await state(client);
  if (!s.migrated) return { kind: "unmigrated" };
  const same = s.imports.find((i) => i.fingerprint === fingerprint);
  if (same) return { kind: "done", source: same.source, at: same.at };
  const last = s.imports.at(-1);
  if (last) {
    return {
      kind: "refused",
      why: `it already holds an import from ${last.source} (${last.at}), and that data has changed since`,
    };
  }
  const held = FILLED.filter((t) => s.rows[t]).map((t) => `${t.replaceAll("_", " ")}: ${s.rows[t]}`);
  if (held.length) return { kind: "refused", why: `it already holds other data (${held.join(", ")})` };
  return { kind: "empty" };
}

const insert = (copy: Copy) => {
  const names = copy.columns.map(([name]) => name).join(", ");
  const types = copy.columns.map(([name, type]) => `${name} ${type}`).join(", ");
  return `INSERT INTO ${copy.table} (${names}) SELECT ${names} FROM json_to_recordset($1::json) AS r(${types})`;
};

export interface Written {
  history: number;
  /** Each table's highest id: new rows continue after it. */
  highest: Record<string, number>;
}

/**
 * Copies every table inside the caller's transaction, after locking the tables against writers
 * (a Worker already serving, a second import) and deciding again under the lock.
 */
export async function copyInto(
  client: pg.Client,
  source: Source,
  record: { fingerprint: string; source: string; counts: Record<string, number> },
  progress: Progress,
): Promise<Verdict | Written> {
  await client.query(`LOCK TABLE ${[...FILLED, "django_imports"].join(", ")} IN SHARE ROW EXCLUSIVE MODE`);
  const decided = await verdict(client, record.fingerprint);
  if (decided.kind !== "empty") return decided;
  for (const copy of COPIES) {
    const sql = insert(copy);
    for await (const rows of source.batches(copy)) {
      await client.query(sql, [JSON.stringify(rows)]);
      progress.add(rows.length, copy.label);
    }
  }
  // The original kept no history: each order starts ours with one row, by nobody, at its
  // placement, to the status it has now (so the history replays to it). Ids given here, not by
  // the sequence, which a rollback would not restore.
  const history = await client.query(
    `INSERT INTO order_status_history (id, order_id, from_status, to_status, changed_by, changed_at)
     SELECT row_number() OVER (ORDER BY id), id, NULL, status, NULL, created_at FROM orders`,
  );
  await client.query(
    `INSERT INTO django_imports (id, fingerprint, source, counts)
     SELECT coalesce(max(id), 0) + 1, $1, $2, $3 FROM django_imports`,
    [record.fingerprint, record.source, JSON.stringify(record.counts)],
  );
  const highest: Record<string, number> = {};
  for (const table of FILLED) {
    const { rows } = await client.query<{ max: number }>(
      `SELECT coalesce(max(id), 0)::int AS max, setval(pg_get_serial_sequence($1, 'id'), coalesce(max(id), 0) + 1, false)
       FROM ${table}`,
      [table],
    );
    highest[table] = rows[0]!.max;
  }
  return { history: history.rowCount ?? 0, highest };
}
