import { readConfig } from "../../src/config";
import { signToken } from "../../src/lib/tokens";
import { usernameKey } from "../../src/lib/username";
import { json, type WorkerHarness } from "./support";

let n = 0;

/** A user row made directly in SQL, with an access token for it. */
export async function makeUser(w: WorkerHarness, isStaff: boolean): Promise<{ id: number; token: string }> {
  n += 1;
  const username = `cat${n}_${crypto.randomUUID().slice(0, 8)}`;
  const [row] = await w.query<{ id: number }>(
    "insert into users (username, username_key, email, password_hash, is_staff) values ($1, $2, $3, 'x', $4) returning id",
    [username, usernameKey(username), `${username}@x.io`, isStaff],
  );
  const token = await signToken(readConfig(w.env), "access", { userId: row!.id, jti: crypto.randomUUID() });
  return { id: row!.id, token };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A JSON request with a token; method defaults to POST. */
export const send = (token: string, method: string, body: unknown): RequestInit =>
  json(body, { method, headers: bearer(token) });

export async function makeCategory(w: WorkerHarness, name: string, description = ""): Promise<number> {
  const [row] = await w.query<{ id: number }>(
    "insert into categories (name, description) values ($1, $2) returning id",
    [name, description],
  );
  return row!.id;
}

export interface ProductSeed {
  name: string;
  price: string;
  stock: number;
  category: number;
  description?: string;
  /** Seconds before now, so created_at ordering is known. */
  age?: number;
  archived?: boolean;
}

export async function makeProduct(w: WorkerHarness, p: ProductSeed): Promise<number> {
  const [row] = await w.query<{ id: number }>(
    `insert into products (name, description, price, stock, category_id, is_archived, created_at)
     values ($1, $2, $3, $4, $5, $6, now() - make_interval(secs => $7)) returning id`,
    [p.name, p.description ?? "", p.price, p.stock, p.category, p.archived ?? false, p.age ?? 0],
  );
  return row!.id;
}

/** An order line naming the product, as the order code would leave it. */
export async function orderProduct(w: WorkerHarness, userId: number, productId: number): Promise<void> {
  const [order] = await w.query<{ id: number }>(
    "insert into orders (user_id, total_price, shipping_address, phone_number) values ($1, '5.00', '1 Long Street, Town', '555') returning id",
    [userId],
  );
  await w.query(
    "insert into order_items (order_id, product_id, product_name, quantity, price) values ($1, $2, 'x', 1, '5.00')",
    [order!.id, productId],
  );
}

export async function getJson(w: WorkerHarness, path: string, init?: RequestInit) {
  const res = await w.request(path, init);
  return { status: res.status, body: (await res.json()) as any, cache: res.headers.get("x-cache") };
}
