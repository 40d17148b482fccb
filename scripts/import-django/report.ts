// The summary an import prints on stdout: rows per table, and what the owner should know.

import { count } from "../lib/progress.ts";
import type { Findings } from "./checks.ts";
import { NOT_KEPT } from "./tables.ts";

/** At most `max` ids, then how many more. */
const some = (ids: string[], max = 10) =>
  ids
    .slice(0, max)
    .map((id) => `#${id}`)
    .join(", ") + (ids.length > max ? ` and ${ids.length - max} more` : "");

const pairs = (entries: [string, number][]) => entries.map(([k, n]) => `${k} ${count(n)}`).join(", ");

export interface Report {
  /** By our table names, the history included. */
  rows: Record<string, number>;
  findings: Findings;
  /** Source columns beyond the Django shop's schema. */
  extra: string[];
  /** After a copy: each table's highest id. */
  highest?: Record<string, number>;
}

export function summary({ rows, findings: f, extra, highest }: Report): string[] {
  const notes: Record<string, string> = {
    users: pairs([
      ["with a profile", f.users.profiles],
      ["staff", f.users.staff],
      ["inactive", f.users.inactive],
    ]),
    orders: pairs(f.statuses.map((s) => [s.status, s.n])),
    order_status_history: "one row per order: its status now, dated at its placement",
  };
  const lines = Object.entries(rows).map(([table, n]) =>
    `  ${table.replaceAll("_", " ").padEnd(22)}${count(n).padStart(9)}   ${notes[table] ?? ""}`.trimEnd(),
  );
  const checkable = [...f.checkable].sort(([a], [b]) => b - a).map(([i, n]) => [`${count(i)} iterations:`, n]);
  lines.push("passwords:");
  lines.push(
    checkable.length
      ? `  log in as before, each replaced by ours at its first login: ${pairs(checkable as [string, number][])}`
      : "  none that logs in",
  );
  if (f.unchecked.size) {
    lines.push(`  cannot log in until given a new password: ${pairs([...f.unchecked].map(([k, n]) => [`${k}:`, n]))}`);
  }
  const t = f.totals;
  const mismatched = t.cent.length + t.fewer.length + t.none.length + t.other.length;
  if (mismatched) {
    lines.push(`order totals kept as the original charged them, ${count(mismatched)} differing from their items:`);
    if (t.cent.length) lines.push(`  by a cent (the original summed in floats): ${some(t.cent)}`);
    if (t.fewer.length) lines.push(`  above their items (items deleted with their product): ${some(t.fewer)}`);
    if (t.none.length) lines.push(`  no items left (all deleted with their products): ${some(t.none)}`);
    if (t.other.length) lines.push(`  below their items: ${some(t.other)}`);
  }
  lines.push(
    "not kept:",
    ...NOT_KEPT.map((what) => `  ${what}`),
    `  (superusers in the original: ${count(f.users.superusers)}; staff here only if is_staff)`,
  );
  if (extra.length) lines.push(`  columns beyond the Django shop's schema: ${extra.join(", ")}`);
  if (highest) {
    const after = Object.entries(highest).map(([table, id]) => [`${table.replaceAll("_", " ")}`, id]);
    lines.push(`ids kept; new rows continue after: ${pairs(after as [string, number][])}`);
  }
  return lines;
}
