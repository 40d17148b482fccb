// A walk over every operation of the API with valid inputs, over real HTTP and WebSockets, for
// the fault tests: run it with everything up, with a dependency down, and after it came back.
import pg from "pg";
import WebSocket from "ws";

export interface Step {
  /** `METHOD /openapi/path/`, the operation's name in /api/schema/. */
  op: string;
  status: number;
  ms: number;
  body: any;
  cache: string | null;
}

export interface Walk {
  steps: Step[];
  /** Stock of the walk's product as the API showed it after: the PATCH to 9, the order of 2, the cancel. */
  stock: (number | null)[];
}

/** A staff user: registered through the API, promoted in SQL as the admin CLI does. */
export async function makeStaff(base: string, databaseUrl: string, name: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/register/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      username: name,
      email: `${name}@example.com`,
      password: "staff-pass-123",
      password2: "staff-pass-123",
    }),
  });
  const body = (await res.json()) as any;
  if (res.status !== 201) throw new Error(`staff registration failed: ${res.status} ${JSON.stringify(body)}`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query("update users set is_staff = true where id = $1", [body.user.id]);
  await client.end();
  // Rights given take effect at the next login (the token says whether its user is staff).
  const login = await fetch(`${base}/api/auth/login/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: name, password: "staff-pass-123" }),
  });
  return ((await login.json()) as { tokens: { access: string } }).tokens.access;
}

/** Opens a WebSocket and answers with the HTTP status of the upgrade (101) and the first message. */
export function openSocket(url: string): Promise<{ status: number; first: unknown }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      resolve({ status: 0, first: null });
    }, 10_000);
    ws.on("unexpected-response", (_req, res) => {
      clearTimeout(timer);
      let text = "";
      res.on("data", (c: Buffer) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, first: text ? JSON.parse(text) : null }));
    });
    ws.on("message", (data: Buffer) => {
      clearTimeout(timer);
      ws.close();
      resolve({ status: 101, first: JSON.parse(String(data)) });
    });
    ws.on("error", () => {});
  });
}

/**
 * Every operation once, in an order where each one's inputs exist when the database is up. With
 * the database down every step still runs (ids and the customer's tokens then fall back to `known`),
 * so each shows its answer.
 */
export async function walk(
  base: string,
  staff: string,
  tag: string,
  known: { id: number; customer?: string; refresh?: string } = { id: 1 },
): Promise<Walk> {
  const steps: Step[] = [];
  const stock: (number | null)[] = [];
  const call = async (
    op: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const [method] = op.split(" ");
    const started = performance.now();
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // HTML (the docs page)
    }
    const step = {
      op,
      status: res.status,
      ms: performance.now() - started,
      body: parsed,
      cache: res.headers.get("x-cache"),
    };
    steps.push(step);
    return step;
  };
  const id = (step: Step, pick: (b: any) => unknown) => {
    const value = step.status < 300 && step.body ? pick(step.body) : undefined;
    return typeof value === "number" ? value : known.id;
  };
  const seeStock = async (product: number) => {
    const r = await call("GET /api/products/{id}/", `/api/products/${product}/`);
    stock.push(r.status === 200 ? r.body.stock : null);
  };

  await call("GET /api/", "/api/");
  await call("GET /api/health/", "/api/health/");
  await call("GET /api/schema/", "/api/schema/");
  await call("GET /api/docs/", "/api/docs/");

  const user = `tour_${tag}_${Math.random().toString(36).slice(2, 8)}`;
  const creds = { username: user, password: "tour-pass-123" };
  const reg = await call("POST /api/auth/register/", "/api/auth/register/", undefined, {
    ...creds,
    email: `${user}@example.com`,
    password2: creds.password,
  });
  const login = await call("POST /api/auth/login/", "/api/auth/login/", undefined, creds);
  const me: string = login.body?.tokens?.access ?? reg.body?.tokens?.access ?? known.customer ?? "no-token";
  const refreshed = await call("POST /api/auth/token/refresh/", "/api/auth/token/refresh/", undefined, {
    refresh: login.body?.tokens?.refresh ?? known.refresh ?? "none",
  });
  await call("GET /api/auth/profile/", "/api/auth/profile/", me);
  await call("PUT /api/auth/profile/", "/api/auth/profile/", me, { city: "Lyon" });
  await call("PATCH /api/auth/profile/", "/api/auth/profile/", me, { country: "France" });

  await call("GET /api/products/categories/", "/api/products/categories/");
  const cat = id(
    await call("POST /api/products/categories/", "/api/products/categories/", staff, { name: `Tour ${user}` }),
    (b) => b.id,
  );
  const spare = id(
    await call("POST /api/products/categories/", "/api/products/categories/", staff, { name: `Spare ${user}` }),
    (b) => b.id,
  );
  await call("GET /api/products/categories/{id}/", `/api/products/categories/${cat}/`);
  await call("PUT /api/products/categories/{id}/", `/api/products/categories/${cat}/`, staff, { description: "put" });
  await call("PATCH /api/products/categories/{id}/", `/api/products/categories/${cat}/`, staff, {
    description: "patch",
  });

  const made = await call("POST /api/products/", "/api/products/", staff, {
    name: `Lamp ${user}`,
    price: "12.50",
    stock: 10,
    category: cat,
  });
  const product = id(made, (b) => b.id);
  await call("GET /api/products/", "/api/products/?page_size=5");
  await call("GET /api/products/", "/api/products/?page_size=5");
  await call("PUT /api/products/{id}/", `/api/products/${product}/`, staff, { price: "13.00" });
  await call("PATCH /api/products/{id}/", `/api/products/${product}/`, staff, { stock: 9 });
  await seeStock(product);
  await call("GET /api/products/low_stock/", "/api/products/low_stock/?threshold=100", staff);

  await call("GET /api/orders/cart/", "/api/orders/cart/", me);
  const added = await call("POST /api/orders/cart/add_item/", "/api/orders/cart/add_item/", me, {
    product_id: product,
    quantity: 2,
  });
  const item = id(added, (b) => b.cart?.cart_items?.[0]?.id);
  await call("PUT /api/orders/cart/update_item/", "/api/orders/cart/update_item/", me, { item_id: item, quantity: 3 });
  await call("DELETE /api/orders/cart/remove_item/", `/api/orders/cart/remove_item/?item_id=${item}`, me);
  await call("POST /api/orders/cart/add_item/", "/api/orders/cart/add_item/", me, { product_id: product, quantity: 1 });
  await call("DELETE /api/orders/cart/clear/", "/api/orders/cart/clear/", me);
  await call("POST /api/orders/cart/add_item/", "/api/orders/cart/add_item/", me, { product_id: product, quantity: 2 });
  const placed = await call(
    "POST /api/orders/",
    "/api/orders/",
    me,
    { shipping_address: "1 Tour Street, Lyon", phone_number: "+33100000000" },
    { "idempotency-key": `tour-${user}` },
  );
  const order = id(placed, (b) => b.order?.id);
  await seeStock(product);
  await call("GET /api/orders/", "/api/orders/", me);
  await call("GET /api/orders/{id}/", `/api/orders/${order}/`, me);
  for (const method of ["PUT", "PATCH", "DELETE"])
    await call(
      `${method} /api/orders/{id}/`,
      `/api/orders/${order}/`,
      me,
      method === "DELETE" ? undefined : { status: "delivered" },
    );
  await call("PATCH /api/orders/{id}/update_status/", `/api/orders/${order}/update_status/`, staff, {
    status: "processing",
  });
  await call("POST /api/orders/{id}/cancel/", `/api/orders/${order}/cancel/`, staff);
  await seeStock(product);

  await call("GET /api/admin/me/", "/api/admin/me/", staff);
  await call("GET /api/admin/customers/", "/api/admin/customers/", staff);
  await call("GET /api/admin/customers/{id}/", `/api/admin/customers/${id(reg, (b) => b.user?.id)}/`, staff);
  await call("GET /api/admin/orders/", "/api/admin/orders/", staff);
  await call("GET /api/admin/orders/{id}/", `/api/admin/orders/${order}/`, staff);

  await call("DELETE /api/products/{id}/", `/api/products/${product}/`, staff);
  await call("DELETE /api/products/categories/{id}/", `/api/products/categories/${spare}/`, staff);
  const ws = base.replace(/^http/, "ws");
  for (const [op, url] of [
    ["GET /ws/orders/notifications/", `${ws}/ws/orders/notifications/?token=${me}`],
    ["GET /ws/admin/orders/", `${ws}/ws/admin/orders/?token=${staff}`],
  ] as const) {
    const started = performance.now();
    const { status, first } = await openSocket(url);
    steps.push({ op, status, ms: performance.now() - started, body: first, cache: null });
  }
  // Last: a logout ends the session's access tokens too, the one the walk uses included.
  await call("POST /api/auth/logout/", "/api/auth/logout/", me, {
    refresh: refreshed.body?.refresh ?? known.refresh ?? "none",
  });
  return { steps, stock };
}

/** What each operation answers with every dependency up (the walk's inputs are all valid). */
export function expectedStatus(op: string): number {
  if (
    op.startsWith("POST /api/auth/register/") ||
    op === "POST /api/products/" ||
    op === "POST /api/products/categories/" ||
    op === "POST /api/orders/"
  )
    return 201;
  if (op.startsWith("DELETE /api/products/")) return 204;
  if (/^(PUT|PATCH|DELETE) \/api\/orders\/\{id\}\/$/.test(op)) return 405;
  if (op.startsWith("GET /ws/")) return 101;
  return 200;
}

/** Operations /api/schema/ documents, as `METHOD /path/`. */
export async function documentedOps(base: string): Promise<string[]> {
  const doc = (await (await fetch(`${base}/api/schema/`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
}
