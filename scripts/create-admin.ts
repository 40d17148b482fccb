import { parseArgs } from "node:util";
import pg from "pg";
import * as z from "zod";
import { hashPassword } from "../src/lib/passwords.ts";
import { usernameKey } from "../src/lib/username.ts";
import { loadDevConfig } from "./lib/dev-config.ts";
import { readPassword } from "./lib/password-input.ts";
import { openDatabase } from "./lib/stack.ts";

const usage =
  "usage: npm run create-admin -- --username U --email E   (the password is asked for, or read from stdin's first line)";

const password = z
  .string()
  .min(8, "must be at least 8 characters")
  .max(128)
  .refine((p) => !/^\d+$/.test(p), "must not be entirely numeric");

const argsSchema = z.object({
  username: z.string().regex(/^[\w.@+-]{1,150}$/, "letters, digits and @/./+/-/_ only, at most 150 characters"),
  email: z.email("must be a valid email address").max(254),
  // Still accepted, for scripts written against it; other local users can read it in `ps`.
  password: password.optional(),
});

function fail(message: string): never {
  console.error(`create-admin: ${message}\n${usage}`);
  process.exit(2);
}

let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: { username: { type: "string" }, email: { type: "string" }, password: { type: "string" } },
  }));
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
const parsed = argsSchema.safeParse(values);
if (!parsed.success) fail(z.prettifyError(parsed.error));
const { username, email } = parsed.data;
if (parsed.data.password !== undefined)
  console.error("create-admin: warning: --password can be read by other local users; leave it out to be asked");
const secret = parsed.data.password ?? (await readPassword());
const checked = password.safeParse(secret);
if (!checked.success) fail(`password ${z.prettifyError(checked.error).replace(/^✖ /, "")}`);
if (secret.toLowerCase() === username.toLowerCase()) fail("password must differ from the username");

const database = await openDatabase(loadDevConfig());
const client = new pg.Client({ connectionString: database.url });
try {
  await client.connect();
  const hash = await hashPassword(secret);
  // Promote (and re-password) an existing account, matched as logins match it.
  const existing = await client.query<{ id: number; email: string }>(
    "update users set is_staff = true, is_active = true, password_hash = $2 where username_key = $1 returning id, email",
    [usernameKey(username), hash],
  );
  if (existing.rows[0]) {
    console.log(`promoted existing user "${username}" (id ${existing.rows[0].id}) to staff`);
  } else {
    const created = await client.query<{ id: number }>(
      "insert into users (username, username_key, email, password_hash, is_staff) values ($1, $2, $3, $4, true) returning id",
      [username, usernameKey(username), email, hash],
    );
    console.log(`created staff user "${username}" (id ${created.rows[0]!.id})`);
  }
} catch (err) {
  const e = err as { code?: string; message?: string };
  if (e.code === "23505") fail(`the email ${email} already belongs to another user`);
  if (e.code === "42P01") fail("the database has no tables yet: run `npm run db:migrate` first");
  fail(`could not reach the database: ${e.message ?? String(err)}`);
} finally {
  await client.end().catch(() => {});
  await database.close();
}
