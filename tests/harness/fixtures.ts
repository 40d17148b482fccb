// The rows and clients tests start from, on any harness (tests/worker/support.ts inside workerd,
// tests/e2e/support.ts over HTTP): users with access tokens, categories, products, carts and
// orders, and the client side of a hub's WebSocket.
import type { z } from "zod";
import { hashPassword } from "../../src/lib/passwords";
import { signToken } from "../../src/lib/tokens";
import { usernameKey } from "../../src/lib/username";
import type {
  WsConnectionEstablished,
  WsError,
  WsOrderCreated,
  WsOrderUpdate,
  WsReplayTruncated,
} from "../../src/realtime/events";
import type { OrderChanged } from "../../src/routes/orders/orders.serialize";
import { type Client, type ClientOptions, type Reply, read, readAs } from "./client";

/** What fixtures need of a harness. */
export interface Host {
  /** SQL on the test file's own database. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** The Worker's token settings, to sign tokens as it does. */
  tokens: Parameters<typeof signToken>[0];
  /** The typed client, anonymous or as someone. */
  client(options?: ClientOptions): Client;
}

let n = 0;
/** A name no other row of the run has. */
export const unique = (prefix: string) => `${prefix}${++n}_${crypto.randomUUID().slice(0, 6)}`;

export interface User {
  id: number;
  username: string;
  /** Names the user's notification hub (random per row, never the id). */
  hubKey: string;
  /** An access token, as login would give. */
  token: string;
}

export interface UserSeed {
  staff?: boolean;
  username?: string;
  email?: string;
  /** The password to log in with; without one the account has none that matches. */
  password?: string;
  firstName?: string;
}

/** A user row made directly in SQL (as `create-admin` does for staff), with an access token for it. */
export async function makeUser(h: Host, seed: UserSeed = {}): Promise<User> {
  const username = seed.username ?? unique("u");
  const [row] = await h.query<{ id: number; hub_key: string }>(
    `insert into users (username, username_key, email, password_hash, is_staff, first_name)
     values ($1, $2, $3, $4, $5, $6) returning id, hub_key`,
    [
      username,
      usernameKey(username),
      seed.email ?? `${username}@x.io`,
      seed.password ? await hashPassword(seed.password) : "x",
      seed.staff ?? false,
      seed.firstName ?? "",
    ],
  );
  const token = await signToken(h.tokens, "access", { userId: row!.id, jti: crypto.randomUUID() });
  return { id: row!.id, username, hubKey: row!.hub_key, token };
}

/** A registration body with a fresh username; `password2` repeats the password. */
export const signUp = (username = unique("user"), password = "s3cure-pass", domain = "example.com") => ({
  username,
  email: `${username}@${domain}`,
  password,
  password2: password,
});

/** The body `POST /api/auth/register/` takes. */
export type Registration = Parameters<Client["api"]["auth"]["register"]["$post"]>[0]["json"];

/** Registers through the API (rate limits, hashing and all); the reply is the raw answer. */
export const register = (h: Host, body: Registration = signUp(), headers: Record<string, string> = {}) =>
  read(h.client({ headers }).api.auth.register.$post({ json: body }));

/** Registers through the API and insists it worked: the user's id and token pair. */
export async function registered(h: Host, body: Registration = signUp(), headers: Record<string, string> = {}) {
  const r = await register(h, body, headers);
  if (r.status !== 201) throw new Error(`registration failed: ${r.status} ${r.text}`);
  return r.body;
}

export async function makeCategory(h: Host, name = unique("Category "), description = ""): Promise<number> {
  const [row] = await h.query<{ id: number }>(
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

export async function makeProduct(h: Host, p: ProductSeed): Promise<number> {
  const [row] = await h.query<{ id: number }>(
    `insert into products (name, description, price, stock, category_id, is_archived, created_at)
     values ($1, $2, $3, $4, $5, $6, now() - make_interval(secs => $7)) returning id`,
    [p.name, p.description ?? "", p.price, p.stock, p.category, p.archived ?? false, p.age ?? 0],
  );
  return row!.id;
}

/** An order line naming the product, as the order code would leave it (SQL, no stock taken). */
export async function orderProduct(h: Host, userId: number, productId: number): Promise<void> {
  const [order] = await h.query<{ id: number }>(
    "insert into orders (user_id, total_price, shipping_address, phone_number) values ($1, '5.00', '1 Long Street, Town', '555') returning id",
    [userId],
  );
  await h.query(
    "insert into order_items (order_id, product_id, product_name, quantity, price) values ($1, $2, 'x', 1, '5.00')",
    [order!.id, productId],
  );
}

export const ADDRESS = { shipping_address: "12 Long Street, Springfield", phone_number: "+15550100" };

/** What `POST /api/orders/` answers when it placed (it writes its JSON itself, so hc cannot type it). */
export type Placed = z.infer<typeof OrderChanged>;

/** Carts and orders through the API, on products of one category of their own. */
export function shop(h: Host) {
  let category: number | undefined;
  let n = 0;
  const as = (who: User, headers: Record<string, string> = {}) => h.client({ as: who, headers }).api.orders;

  const s = {
    user: (staff = false): Promise<User> => makeUser(h, { staff }),
    async product(price: string, stock: number, name = `Item ${++n}`): Promise<number> {
      category ??= await makeCategory(h, `Orders ${crypto.randomUUID().slice(0, 8)}`);
      return makeProduct(h, { name, price, stock, category });
    },
    /** `POST /api/orders/cart/add_item/`. */
    add: (who: User, product_id: number, quantity = 1) =>
      read(as(who).cart.add_item.$post({ json: { product_id, quantity } })),
    /** `GET /api/orders/cart/`. */
    cart: (who: User) => read(as(who).cart.$get()),
    /** `POST /api/orders/` with `body` (the shop's address by default) and extra headers. */
    place: (
      who: User,
      headers: Record<string, string> = {},
      body: { shipping_address: string; phone_number: string } = ADDRESS,
    ) => readAs<Placed>(as(who, headers).$post({ json: body })),
    /** A placed order of `quantity` × a new product at `price`; returns the order detail. */
    async order(who: User, price = "10.00", quantity = 1, stock = 10) {
      const product = await s.product(price, stock);
      await s.add(who, product, quantity);
      const r = await s.place(who);
      if (r.status !== 201) throw new Error(`placing failed: ${r.status} ${r.text}`);
      return { ...r.body.order, productId: product };
    },
    stock: async (id: number) =>
      (await h.query<{ stock: number }>("select stock from products where id = $1", [id]))[0]!.stock,
  };
  return s;
}

type Event =
  | z.infer<typeof WsConnectionEstablished>
  | z.infer<typeof WsOrderUpdate>
  | z.infer<typeof WsOrderCreated>
  | z.infer<typeof WsReplayTruncated>
  | z.infer<typeof WsError>;
/** A hub's JSON message: any of the documented kinds, each field there when its kind has it. */
export type HubMessage = { type: Event["type"] } & Partial<
  Omit<z.infer<typeof WsOrderUpdate> & z.infer<typeof WsReplayTruncated> & z.infer<typeof WsError>, "type">
>;
/** The hub's answer to "ping", a bare text frame: it has none of a message's fields. */
export type Pong = "pong" & { [K in keyof HubMessage]?: undefined };
export type Frame = HubMessage | Pong;

/** The client side of a hub's WebSocket, however the harness opened it. */
export interface HubClient<S, R extends { status: number } = Response> {
  /** The answer to the upgrade (101, or the refusal). */
  res: R;
  ws: S | null;
  /** Every frame so far: JSON parsed, "pong" as is. */
  messages: Frame[];
  /** The next frame not read yet; fails after 5 s. */
  next(): Promise<Frame>;
  /** Resolves with the close code once the server closed the socket. */
  closed: Promise<number>;
}

/** Reads a socket's frames into a HubClient; `subscribe` attaches the two listeners its API has. */
export function hubClient<S, R extends { status: number }>(
  res: R,
  ws: S | null,
  subscribe: (onMessage: (data: unknown) => void, onClose: (code: number) => void) => void,
): HubClient<S, R> {
  const messages: Frame[] = [];
  if (!ws) {
    const next = () => Promise.reject(new Error(`no socket: the upgrade answered ${res.status}`));
    return { res, ws: null, messages, next, closed: Promise.resolve(0) };
  }
  const waiters: (() => void)[] = [];
  let closedWith: (code: number) => void = () => {};
  const closed = new Promise<number>((resolve) => {
    closedWith = resolve;
  });
  subscribe((data) => {
    messages.push((typeof data === "string" && data !== "pong" ? JSON.parse(data) : data) as Frame);
    for (const wake of waiters.splice(0)) wake();
  }, closedWith);
  let read = 0;
  const next = async (): Promise<Frame> => {
    const deadline = Date.now() + 5000;
    while (read >= messages.length) {
      if (Date.now() > deadline) throw new Error(`no message after ${JSON.stringify(messages)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
    return messages[read++]!;
  };
  return { res, ws, messages, next, closed };
}

/** Lets in-flight deliveries land before counting messages. */
export const settle = (ms = 200) => new Promise((r) => setTimeout(r, ms));

export type { Reply };
