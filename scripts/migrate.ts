import { loadDevConfig } from "./lib/dev-config.ts";
import { applyMigrations } from "./lib/migrate.ts";
import { openDatabase } from "./lib/stack.ts";

const database = await openDatabase(loadDevConfig());
try {
  await applyMigrations(database.url);
  console.log(`migrations applied to ${database.embedded ? "the embedded database" : "DATABASE_URL"}`);
} finally {
  await database.close();
}
