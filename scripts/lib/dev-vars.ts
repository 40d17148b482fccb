// `npm run stack` writes the addresses and per-run secrets of its endpoints into `.dev.vars`, where
// plain `wrangler dev` reads the Worker's variables, between two marker lines it removes again on
// stop. The developer's own lines stay as they are, and the launchers never read the block (a
// stack that died leaves addresses that answer nothing).
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";

const BEGIN = "# >>> npm run stack: written on start, removed on stop (edit above or below)";
const END = "# <<< npm run stack";

export function withoutStackBlock(text: string): string {
  const start = text.indexOf(BEGIN);
  if (start < 0) return text;
  const end = text.indexOf(END, start);
  const after = end < 0 ? "" : text.slice(end + END.length).replace(/^\n/, "");
  return text.slice(0, start) + after;
}

/** The file with `vars` in its block (replacing an earlier one), readable by this user only. */
export function writeStackBlock(file: string, vars: Record<string, string>): void {
  const lines = Object.entries(vars).map(([key, value]) => {
    // .dev.vars is parsed by dotenv without expansion: single quotes keep any other character.
    if (/['\n\r]/.test(value)) throw new Error(`cannot write ${key} to ${file} (quote or newline in its value)`);
    return `${key}='${value}'`;
  });
  const own = existsSync(file) ? withoutStackBlock(readFileSync(file, "utf8")) : "";
  const head = own && !own.endsWith("\n") ? `${own}\n` : own;
  writeFileSync(file, `${head}${BEGIN}\n${lines.join("\n")}\n${END}\n`, { mode: 0o600 });
  // `mode` applies to a new file only; an existing one may have been readable by others.
  chmodSync(file, 0o600);
}

export function removeStackBlock(file: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, "utf8");
  const own = withoutStackBlock(text);
  if (own !== text) writeFileSync(file, own);
}
