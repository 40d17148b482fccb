import pg from "pg";
import { type TestStack, uniqueName, withDatabase } from "./stack.ts";

/** A fresh, migrated database cloned from the template; `drop()` removes it. */
export async function createTestDatabase(stack: TestStack): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueName("t");
  const admin = new pg.Client({ connectionString: stack.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${stack.template}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(stack.adminUrl, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: stack.adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
