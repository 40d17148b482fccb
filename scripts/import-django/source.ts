// The Django shop's database, read in one repeatable-read snapshot: every query of a run sees the
// same data however long the copy takes and whatever the running shop does meanwhile.
import pg from "pg";
import { acceptedTypes, type Copy, DJANGO_SCHEMA } from "./tables.ts";

/** Rows fetched, and written, at a time. */
export const BATCH = 5000;

/** Host, port and database of a URL, never its credentials. */
export function where(url: string): string {
  const u = new URL(url);
  return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
}

export class Source {
  private cursors = 0;
  private readonly client: pg.Client;
  /** Where it is, without credentials. */
  readonly name: string;

  private constructor(client: pg.Client, name: string) {
    this.client = client;
    this.name = name;
  }

  /** Connects and opens the snapshot; throws what the driver throws. */
  static async open(url: string): Promise<Source> {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    client.on("error", () => {});
    await client.connect();
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      // Timestamps leave as text in UTC, whatever the server's settings.
      await client.query("SET LOCAL TIME ZONE 'UTC'");
      await client.query("SET LOCAL DateStyle = 'ISO, YMD'");
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    return new Source(client, where(url));
  }

  async query<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
    return (await this.client.query<R>(text, params)).rows;
  }

  /**
   * How the source differs from the Django shop's schema (tables or columns missing, or of
   * another type), and the columns it has beyond it, which are not copied.
   */
  async schema(): Promise<{ problems: string[]; extra: string[] }> {
    const rows = await this.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
      [Object.keys(DJANGO_SCHEMA)],
    );
    const problems: string[] = [];
    const extra: string[] = [];
    for (const [table, columns] of Object.entries(DJANGO_SCHEMA)) {
      const found = new Map(rows.filter((r) => r.table_name === table).map((r) => [r.column_name, r.data_type]));
      if (!found.size) {
        problems.push(`no table ${table}`);
        continue;
      }
      for (const [column, kind] of Object.entries(columns)) {
        const type = found.get(column);
        if (!type) problems.push(`no column ${table}.${column}`);
        else if (!acceptedTypes(kind).includes(type)) problems.push(`${table}.${column} is ${type}`);
      }
      for (const column of found.keys()) if (!(column in columns)) extra.push(`${table}.${column}`);
    }
    return { problems, extra };
  }

  /**
   * The number of rows a copy reads and a digest of them, computed by the source's server (an
   * order-independent sum of 64-bit row hashes), so comparing two runs sends no rows.
   */
  async digest(copy: Copy): Promise<{ rows: number; digest: string }> {
    const [row] = await this.query<{ rows: number; digest: string }>(
      `SELECT count(*)::int AS rows, coalesce(sum(hashtextextended(s::text, 0)::numeric), 0)::text AS digest
       FROM (${copy.select}) s`,
    );
    return row!;
  }

  /** The rows of a copy, `BATCH` at a time, through a cursor in the snapshot. */
  async *batches(copy: Copy): AsyncGenerator<Record<string, unknown>[]> {
    const cursor = `import_${++this.cursors}`;
    await this.client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${copy.select}`);
    try {
      for (;;) {
        const { rows } = await this.client.query(`FETCH ${BATCH} FROM ${cursor}`);
        if (!rows.length) return;
        yield copy.map ? rows.map(copy.map) : rows;
      }
    } finally {
      await this.client.query(`CLOSE ${cursor}`).catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.client.query("ROLLBACK").catch(() => {});
    await this.client.end().catch(() => {});
  }
}
