import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { applyMigrations } from "../../scripts/lib/migrate.ts";
import { startEmbeddedPg } from "../../scripts/local/embedded-pg.ts";
import { refusal } from "../../scripts/local/guard.ts";
import { uniqueName, withDatabase } from "./stack.ts";

interface Provider {
  create(): Promise<string>;
  drop(url: string): Promise<void>;
  close(): Promise<void>;
}

async function admin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Real Postgres: one migrated template database, cloned per test file (a file copy, milliseconds). */
export async function postgresProvider(adminUrl: string): Promise<Provider> {
  const template = uniqueName("shop_tpl");
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${template}"`));
  await applyMigrations(withDatabase(adminUrl, template));
  const drop = (name: string) =>
    admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {});
  return {
    async create() {
      const name = uniqueName("t");
      await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
      return withDatabase(adminUrl, name);
    },
    drop: (url) => drop(new URL(url).pathname.slice(1)),
    close: () => drop(template),
  };
}

/** No Postgres server: PGlite has a single database, so each test file gets its own server on a copy of a migrated data directory. */
export async function pgliteProvider(): Promise<Provider> {
  const root = mkdtempSync(join(tmpdir(), "shop-pglite-"));
  const template = join(root, "template");
  const seed = await startEmbeddedPg({ dataDir: template });
  await applyMigrations(seed.url);
  await seed.close();
  const servers = new Map<string, { dir: string; close(): Promise<void> }>();
  const drop = async (url: string) => {
    const server = servers.get(url);
    servers.delete(url);
    await server?.close();
    if (server) rmSync(server.dir, { recursive: true, force: true });
  };
  return {
    async create() {
      const dir = join(root, uniqueName("db"));
      cpSync(template, dir, { recursive: true });
      const server = await startEmbeddedPg({ dataDir: dir });
      servers.set(server.url, { dir, close: server.close });
      return server.url;
    },
    drop,
    async close() {
      await Promise.all([...servers.keys()].map(drop));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Serves a provider over loopback HTTP, so test files in Node and inside workerd get their
 * databases the same way: `POST /` answers `{"url"}`, `DELETE /?url=` drops it. Like every
 * local stand-in it wants the run's secret (`Authorization: Bearer`) and refuses web pages.
 */
export async function serveProvider(
  provider: Provider,
  secret: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const why = refusal(req, secret, /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1]);
    if (why) {
      res.writeHead(403, { "content-type": "text/plain" }).end(why);
      return;
    }
    const target = new URL(req.url ?? "/", "http://x").searchParams.get("url");
    const work =
      req.method === "POST" ? provider.create().then((url) => ({ url })) : provider.drop(target ?? "").then(() => ({}));
    work.then(
      (body) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await provider.close();
    },
  };
}
