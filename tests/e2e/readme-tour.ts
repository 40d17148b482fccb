// README.md's "Quick tour", run as written against a running Worker: every line of its `sh`
// blocks, in order. curl commands become fetch calls (so neither curl nor jq is needed here) and
// must answer 2xx; `VAR=$(curl … | jq …)` keeps the value like the shell would; npm scripts run
// for real against the Worker's database; `npx wscat -c URL` opens the socket that must see the
// order shipped. A line of any other form fails, so README and tests cannot drift apart. Every
// answer, the socket's upgrade included, goes through the e2e harness and is checked against
// /api/schema/. Used by readme-tour.test.ts (wrangler's dev server) and start.test.ts (npm start).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { Frame } from "../harness/fixtures";
import type { E2eHarness } from "./support";

const DEV_HOST = "127.0.0.1:8787";

/** The `sh` blocks of the README section, one command per entry (continuations joined). */
function tourCommands(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith("Quick tour"));
  if (!section) throw new Error('README.md has no "## Quick tour" section');
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.replace(/\\\n\s*/g, "").split("\n"))
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
}

/** Shell words: single quotes literal; double quotes (with \" escapes) and bare words expand `$VAR`. */
function words(text: string, vars: Record<string, string>): string[] {
  const out: string[] = [];
  let word: string | null = null;
  const expand = (s: string) =>
    s.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b)!;
      if (!(name in vars)) throw new Error(`$${name} is used before the tour sets it`);
      return vars[name]!;
    });
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      if (word !== null) out.push(word);
      word = null;
      i += 1;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${text}`);
      word = (word ?? "") + text.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      let j = i + 1;
      let raw = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\" && (text[j + 1] === '"' || text[j + 1] === "\\")) j += 1;
        raw += text[j];
        j += 1;
      }
      if (j >= text.length) throw new Error(`unclosed " in: ${text}`);
      word = (word ?? "") + expand(raw);
      i = j + 1;
    } else {
      const m = /^[^\s'"]+/.exec(text.slice(i))![0];
      word = (word ?? "") + expand(m);
      i += m.length;
    }
  }
  if (word !== null) out.push(word);
  return out;
}

/** The path and query of a URL of this Worker (`http://` or `ws://`). */
function onWorker(worker: E2eHarness, url: string): string {
  const u = new URL(url);
  if (u.host !== new URL(worker.url).host) throw new Error(`the tour calls ${url}, not this Worker`);
  return `${u.pathname}${u.search}`;
}

/** A curl command line as a request to the Worker; only the flags the tour uses are understood. */
async function curl(worker: E2eHarness, args: string[]): Promise<{ status: number; text: string }> {
  let method: string | undefined;
  let body: string | undefined;
  let url: string | undefined;
  const headers = new Headers();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-s") continue;
    else if (arg === "-X") method = args[++i];
    else if (arg === "-H") {
      const [name, ...value] = args[++i]!.split(":");
      headers.set(name!.trim(), value.join(":").trim());
    } else if (arg === "-d") body = args[++i];
    else if (!arg.startsWith("-") && !url) url = arg;
    else throw new Error(`the tour test does not know curl's ${arg}`);
  }
  if (!url) throw new Error(`curl without a URL: ${args.join(" ")}`);
  // curl sends -d data as a form unless told otherwise; the tour always says JSON.
  if (body !== undefined && !headers.has("content-type"))
    headers.set("content-type", "application/x-www-form-urlencoded");
  // The raw request as curl sends it: the README's command line is the point.
  const res = await worker.request(onWorker(worker, url), {
    method: method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** `jq [-r] FILTER` for the paths the tour uses: `.a.b`, `.results[0].id`. */
function jq(args: string[], text: string): string {
  const filter = args.filter((a) => a !== "-r");
  if (filter.length !== 1 || !/^(\.\w+|\[\d+\])+$/.test(filter[0]!))
    throw new Error(`the tour test does not know jq ${args.join(" ")}`);
  let value: unknown = JSON.parse(text);
  for (const [, key, index] of filter[0]!.matchAll(/\.(\w+)|\[(\d+)\]/g)) {
    value = (value as Record<string, unknown> | undefined)?.[key ?? Number(index)];
  }
  if (value === undefined || value === null) throw new Error(`jq ${filter[0]} found nothing in ${text.slice(0, 300)}`);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Runs the tour against `worker`; fails (softly per command, then hard) where the README no longer holds. */
export async function runReadmeTour(worker: E2eHarness): Promise<void> {
  const readme = readFileSync("README.md", "utf8").replaceAll(DEV_HOST, new URL(worker.url).host);
  const vars: Record<string, string> = {};
  const sockets: { messages: Frame[] }[] = [];
  const ran: string[] = [];

  for (const line of tourCommands(readme)) {
    const assign = /^(\w+)=(.*)$/.exec(line);
    const capture = assign && /^\$\((.*)\)$/.exec(assign[2]!);
    const command = capture ? capture[1]! : assign ? null : line;
    if (!command) {
      vars[assign![1]!] = words(assign![2]!, vars).join(" ");
      continue;
    }
    // `printf 'TEXT\n' | command`: TEXT (printf's escapes as the tour uses them) is the command's stdin.
    const piped = /^printf\s+('[^']*')\s+\|\s+(.*)$/.exec(command);
    const input = piped ? words(piped[1]!, vars)[0]!.replaceAll("\\n", "\n") : undefined;
    const [shell, filter] = (piped ? piped[2]! : command).split(/\s+\|\s+jq\s+/);
    const argv = words(shell!, vars);
    let output = "";
    if (argv[0] === "curl") {
      const res = await curl(worker, argv.slice(1));
      expect.soft(res.status, `${line}\n→ ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
      expect.soft(res.status, `${line}\n→ ${res.text.slice(0, 300)}`).toBeLessThan(300);
      output = res.text;
    } else if (argv[0] === "npm" && argv[1] === "run" && ["db:seed", "create-admin"].includes(argv[2]!)) {
      // This file's database; no REDIS_URL, since this Worker's cache keys start empty anyway.
      const { REDIS_URL, ...env } = process.env;
      output = execFileSync("npm", ["run", "--silent", ...argv.slice(2)], {
        env: { ...env, DATABASE_URL: worker.databaseUrl },
        encoding: "utf8",
        input,
        stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
    } else if (argv[0] === "npx" && argv[1] === "wscat" && argv[2] === "-c" && argv[3]) {
      // The harness's socket, closed when the Worker stops.
      const socket = await worker.connect(onWorker(worker, argv[3]));
      if (!socket.ws) throw new Error(`${line}\n→ ${socket.res.status} ${socket.res.text}`);
      sockets.push(socket);
    } else {
      throw new Error(`the tour test does not know how to run: ${line}`);
    }
    if (capture) vars[assign![1]!] = filter ? jq(words(filter, vars), output) : output.trim();
    ran.push(argv.slice(0, 2).join(" "));
  }

  expect(ran.filter((r) => r.startsWith("curl")).length).toBeGreaterThanOrEqual(10);
  expect(ran).toEqual(expect.arrayContaining(["npm run", "npx wscat"]));
  await expect
    .poll(() => sockets.flatMap((c) => c.messages).map((m) => `${m.type}:${m.status ?? ""}`), { timeout: 10_000 })
    .toEqual(["connection_established:", "order_update:pending", "order_update:shipped"]);
}
