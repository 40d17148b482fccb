// Real accounts for the benchmark: customers registered through the API, one staff user made the
// way `create-admin` makes it (hashed password, is_staff), then logged in through the API.
import pg from "pg";
import { hashPassword } from "../../src/lib/passwords.ts";
import { usernameKey } from "../../src/lib/username.ts";

export interface Account {
  id: number;
  username: string;
  access: string;
}

async function post(
  baseUrl: string,
  path: string,
  body: unknown,
): Promise<{ user: { id: number; username: string }; tokens: { access: string } }> {
  const res = await fetch(baseUrl + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { user: { id: number; username: string }; tokens: { access: string } };
  if (!res.ok) throw new Error(`${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Registers `count` customers (a few at a time: each hashes a password in the Worker). */
export async function registerCustomers(baseUrl: string, prefix: string, count: number): Promise<Account[]> {
  const accounts: Account[] = new Array(count);
  const password = "bench-Password-1";
  const pending = Array.from({ length: count }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = pending.shift(); i !== undefined; i = pending.shift()) {
        const username = `${prefix}${i}`;
        const json = await post(baseUrl, "/api/auth/register/", {
          username,
          email: `${username}@bench.invalid`,
          password,
          password2: password,
        });
        accounts[i] = { id: json.user.id, username, access: json.tokens.access };
      }
    }),
  );
  return accounts;
}

export async function createStaff(baseUrl: string, databaseUrl: string, username: string): Promise<Account> {
  const password = "bench-Staff-Password-1";
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      "INSERT INTO users (username, username_key, email, password_hash, is_staff) VALUES ($1, $2, $3, $4, true)",
      [username, usernameKey(username), `${username}@bench.invalid`, await hashPassword(password)],
    );
  } finally {
    await client.end();
  }
  const json = await post(baseUrl, "/api/auth/login/", { username, password });
  return { id: json.user.id, username, access: json.tokens.access };
}
