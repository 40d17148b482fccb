// What the source holds that ours cannot take (conflicts: the import refuses, listing all of
// them) and what it holds that ours takes as it is but a shop owner should hear of (findings).
import { ORDER_STATUSES } from "../../src/db/schema.ts";
import { iterationsOf } from "../../src/lib/passwords.ts";
import { usernameKey } from "../../src/lib/username.ts";
import type { Source } from "./source.ts";

/** Postgres `integer`, our ids (src/lib/fields.ts, which Node cannot load: its imports name no extension). */
const INT4_MAX = 2_147_483_647;

interface UserRow {
  id: number;
  username: string;
  email: string;
  password: string;
  is_staff: boolean;
  is_active: boolean;
  is_superuser: boolean;
}

/** Rows that break a rule of ours: `detail` says how, as text the source writes. */
const RULES: { table: string; where: string; detail: string; why: string }[] = [
  ...[
    "products_category",
    "products_product",
    "orders_cart",
    "orders_cartitem",
    "orders_order",
    "orders_orderitem",
  ].map((table) => ({
    table,
    where: `id > ${INT4_MAX}`,
    detail: "''",
    why: "an id beyond ours (integer, up to 2147483647)",
  })),
  { table: "products_product", where: "price <= 0", detail: "price::text", why: "a price that is not above 0" },
  { table: "products_product", where: "stock < 0", detail: "stock::text", why: "a stock below 0" },
  { table: "products_product", where: "length(name) = 0", detail: "''", why: "an empty name" },
  { table: "orders_cartitem", where: "quantity <= 0", detail: "quantity::text", why: "a quantity below 1" },
  { table: "orders_orderitem", where: "quantity <= 0", detail: "quantity::text", why: "a quantity below 1" },
  { table: "orders_orderitem", where: "price <= 0", detail: "price::text", why: "a price that is not above 0" },
  { table: "orders_order", where: "total_price < 0", detail: "total_price::text", why: "a total below 0" },
  {
    table: "orders_order",
    where: `status <> ALL ('{${ORDER_STATUSES.join(",")}}'::text[])`,
    detail: "status",
    why: `a status ours does not have (${ORDER_STATUSES.join(", ")})`,
  },
];

const quote = (text: string) => JSON.stringify(text);

/** Groups of two or more rows that fall on one key of ours. */
function clashes<T>(rows: T[], key: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    groups.set(k, [...(groups.get(k) ?? []), row]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/** Every conflict at once, one line each; none means the import can go ahead. */
export async function conflicts(source: Source, users: UserRow[]): Promise<string[]> {
  const found: string[] = [];
  for (const group of clashes(users, (u) => usernameKey(u.username))) {
    const names = group.map((u) => `${quote(u.username)} (id ${u.id})`).join(", ");
    found.push(`auth_user: usernames ${names} differ only in letter case, and ours treats them as one name`);
  }
  for (const group of clashes(users, (u) => u.email.toLowerCase())) {
    const ids = group.map((u) => u.id).join(", ");
    found.push(`auth_user: ids ${ids} share the email ${quote(group[0]!.email)}, and ours keeps emails unique`);
  }
  const categories = await source.query<{ id: string; name: string }>("SELECT id, name FROM products_category");
  for (const group of clashes(categories, (c) => c.name.toLowerCase())) {
    const names = group.map((c) => `${quote(c.name)} (id ${c.id})`).join(", ");
    found.push(`products_category: names ${names} differ only in letter case, and ours keeps names unique`);
  }
  for (const rule of RULES) {
    const rows = await source.query<{ id: string; detail: string }>(
      `SELECT id::text AS id, ${rule.detail} AS detail FROM ${rule.table} WHERE ${rule.where} ORDER BY id`,
    );
    for (const row of rows) found.push(`${rule.table} ${row.id}: ${rule.why}${row.detail ? `: ${row.detail}` : ""}`);
  }
  return found;
}

export interface Findings {
  users: { staff: number; inactive: number; superusers: number; profiles: number };
  /** Users whose password we check, by the hash's iterations. */
  checkable: Map<number, number>;
  /** Users who cannot log in, by what their hash is: unusable, argon2, md5… */
  unchecked: Map<string, number>;
  statuses: { status: string; n: number }[];
  /** Orders whose total is not the sum of their items, by what most likely made it so. */
  totals: { cent: string[]; fewer: string[]; none: string[]; other: string[] };
}

export async function readUsers(source: Source): Promise<UserRow[]> {
  return source.query<UserRow>(
    "SELECT id, username, email, password, is_staff, is_active, is_superuser FROM auth_user ORDER BY id",
  );
}

const hashKind = (password: string) =>
  password === "" || password.startsWith("!") ? "unusable (Django's set_unusable_password)" : password.split("$")[0]!;

export async function findings(source: Source, users: UserRow[]): Promise<Findings> {
  const checkable = new Map<number, number>();
  const unchecked = new Map<string, number>();
  for (const { password } of users) {
    const iterations = iterationsOf(password);
    if (iterations !== null) checkable.set(iterations, (checkable.get(iterations) ?? 0) + 1);
    else {
      const kind = hashKind(password);
      unchecked.set(kind, (unchecked.get(kind) ?? 0) + 1);
    }
  }
  const [profiles] = await source.query<{ n: number }>("SELECT count(*)::int AS n FROM users_userprofile");
  const statuses = await source.query<{ status: string; n: number }>(
    "SELECT status, count(*)::int AS n FROM orders_order GROUP BY status ORDER BY status",
  );
  // The original computed totals in Python floats (a cent off) and deleted a product's order items with it.
  const mismatched = await source.query<{ id: string; kind: keyof Findings["totals"] }>(
    `SELECT o.id::text AS id,
       CASE WHEN count(i.id) = 0 THEN 'none'
            WHEN abs(o.total_price - sum(i.price * i.quantity)) <= 0.01 THEN 'cent'
            WHEN o.total_price > sum(i.price * i.quantity) THEN 'fewer'
            ELSE 'other' END AS kind
     FROM orders_order o LEFT JOIN orders_orderitem i ON i.order_id = o.id
     GROUP BY o.id HAVING o.total_price <> coalesce(sum(i.price * i.quantity), 0) ORDER BY o.id`,
  );
  const totals: Findings["totals"] = { cent: [], fewer: [], none: [], other: [] };
  for (const { id, kind } of mismatched) totals[kind].push(id);
  return {
    users: {
      staff: users.filter((u) => u.is_staff).length,
      inactive: users.filter((u) => !u.is_active).length,
      superusers: users.filter((u) => u.is_superuser).length,
      profiles: profiles!.n,
    },
    checkable,
    unchecked,
    statuses,
    totals,
  };
}
