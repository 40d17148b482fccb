// A walk over every operation of the API with valid inputs, over real HTTP and WebSockets, for
// the fault tests: run it with everything up, with a dependency down, and after it came back.
// Each call goes through the e2e harness, so every answer is also checked against /api/schema/.
import { createSession } from "@edge-shop/client";
import { at, ID } from "../harness/client";
import { type Placed, registered, settle, signUp } from "../harness/fixtures";
import { type E2eHarness, harnessFetch } from "./support";

export interface Step {
  /** `METHOD /openapi/path/`, the operation's name in /api/schema/. */
  op: string;
  status: number;
  ms: number;
  /** The JSON answer (the docs page's HTML as text); what it holds depends on the operation. */
  body: unknown;
  cache: string | null;
}

export interface Walk {
  steps: Step[];
  /** Stock of the walk's product as the API showed it after: the PATCH to 9, the order of 2, the cancel. */
  stock: (number | null)[];
  /** The order the walk placed, when placing worked. */
  order: Placed["order"] | null;
}

/** A staff user: registered through the API, promoted in SQL as the admin CLI does; its access token. */
export async function makeStaff(h: E2eHarness, name: string): Promise<string> {
  const { user } = await registered(h, signUp(name, "staff-pass-123"));
  await h.query("update users set is_staff = true where id = $1", [user.id]);
  // Rights given take effect at the next login (the token says whether its user is staff).
  // The storefront client's login: a refusal throws ApiError with the API's own message.
  const { tokens } = await createSession({ baseUrl: h.url, fetch: harnessFetch(h) }).login(name, "staff-pass-123");
  return tokens.access;
}

interface Answer {
  status: number;
  headers: Headers;
  text(): Promise<string>;
}

/**
 * Every operation once, in an order where each one's inputs exist when the database is up. With
 * the database down every step still runs (ids and the customer's tokens then fall back to `known`),
 * so each shows its answer.
 */
export async function walk(
  h: E2eHarness,
  staffToken: string,
  tag: string,
  known: { id: number; customer?: string; refresh?: string } = { id: 1 },
): Promise<Walk> {
  const steps: Step[] = [];
  const stock: (number | null)[] = [];
  /** Runs one operation and records its answer. */
  const call = async (op: string, send: () => Promise<Answer>) => {
    const started = performance.now();
    const res = await send();
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // HTML (the docs page)
    }
    const step = { op, status: res.status, ms: performance.now() - started, body, cache: res.headers.get("x-cache") };
    steps.push(step);
    return step;
  };
  /** An id the answer names when it succeeded, else the fallback. */
  const id = (reply: { status: number; body: unknown }, pick: () => unknown) => {
    const value = reply.status < 300 && reply.body ? pick() : undefined;
    return typeof value === "number" ? value : known.id;
  };
  const api = h.api;
  const staff = h.as(staffToken);
  const seeStock = async (product: number) => {
    const r = await call("GET /api/products/{id}/", () => api.products[ID].$get(at(product)));
    stock.push(r.status === 200 ? (r.body as { stock: number }).stock : null);
  };

  // Not part of AppType (registered before the typed routes): raw requests.
  await call("GET /api/", () => h.request("/api/"));
  await call("GET /api/health/", () => api.health.$get());
  await call("GET /api/schema/", () => h.request("/api/schema/"));
  await call("GET /api/docs/", () => h.request("/api/docs/"));

  const user = `tour_${tag}_${Math.random().toString(36).slice(2, 8)}`;
  const creds = { username: user, password: "tour-pass-123" };
  const reg = await call("POST /api/auth/register/", () =>
    api.auth.register.$post({ json: { ...creds, email: `${user}@example.com`, password2: creds.password } }),
  );
  const login = await call("POST /api/auth/login/", () => api.auth.login.$post({ json: creds }));
  const tokensOf = (step: Step) => (step.body as { tokens?: { access: string; refresh: string } } | null)?.tokens;
  const meToken = tokensOf(login)?.access ?? tokensOf(reg)?.access ?? known.customer ?? "no-token";
  const me = h.as(meToken);
  const refreshed = await call("POST /api/auth/token/refresh/", () =>
    api.auth.token.refresh.$post({ json: { refresh: tokensOf(login)?.refresh ?? known.refresh ?? "none" } }),
  );
  await call("GET /api/auth/profile/", () => me.auth.profile.$get());
  await call("PUT /api/auth/profile/", () => me.auth.profile.$put({ json: { city: "Lyon" } }));
  await call("PATCH /api/auth/profile/", () => me.auth.profile.$patch({ json: { country: "France" } }));

  const idOf = (step: Step) => id(step, () => (step.body as { id?: number }).id);
  await call("GET /api/products/categories/", () => api.products.categories.$get());
  const cat = idOf(
    await call("POST /api/products/categories/", () =>
      staff.products.categories.$post({ json: { name: `Tour ${user}` } }),
    ),
  );
  const spare = idOf(
    await call("POST /api/products/categories/", () =>
      staff.products.categories.$post({ json: { name: `Spare ${user}` } }),
    ),
  );
  await call("GET /api/products/categories/{id}/", () => api.products.categories[ID].$get(at(cat)));
  await call("PUT /api/products/categories/{id}/", () =>
    staff.products.categories[ID].$put({ ...at(cat), json: { description: "put" } }),
  );
  await call("PATCH /api/products/categories/{id}/", () =>
    staff.products.categories[ID].$patch({ ...at(cat), json: { description: "patch" } }),
  );

  const product = idOf(
    await call("POST /api/products/", () =>
      staff.products.$post({ json: { name: `Lamp ${user}`, price: "12.50", stock: 10, category: cat } }),
    ),
  );
  await call("GET /api/products/", () => api.products.$get({ query: { page_size: "5" } }));
  await call("GET /api/products/", () => api.products.$get({ query: { page_size: "5" } }));
  await call("GET /api/products/facets/", () => api.products.facets.$get({ query: { search: "lamp" } }));
  await call("PUT /api/products/{id}/", () => staff.products[ID].$put({ ...at(product), json: { price: "13.00" } }));
  await call("PATCH /api/products/{id}/", () => staff.products[ID].$patch({ ...at(product), json: { stock: 9 } }));
  await seeStock(product);
  await call("GET /api/products/low_stock/", () => staff.products.low_stock.$get({ query: { threshold: "100" } }));

  const cart = me.orders.cart;
  await call("GET /api/orders/cart/", () => cart.$get());
  const added = await call("POST /api/orders/cart/add_item/", () =>
    cart.add_item.$post({ json: { product_id: product, quantity: 2 } }),
  );
  const item = id(added, () => (added.body as { cart?: { cart_items?: { id: number }[] } }).cart?.cart_items?.[0]?.id);
  await call("PUT /api/orders/cart/update_item/", () =>
    cart.update_item.$put({ json: { item_id: item, quantity: 3 } }),
  );
  await call("DELETE /api/orders/cart/remove_item/", () =>
    cart.remove_item.$delete({ query: { item_id: String(item) } }),
  );
  await call("POST /api/orders/cart/add_item/", () =>
    cart.add_item.$post({ json: { product_id: product, quantity: 1 } }),
  );
  await call("DELETE /api/orders/cart/clear/", () => cart.clear.$delete());
  await call("POST /api/orders/cart/add_item/", () =>
    cart.add_item.$post({ json: { product_id: product, quantity: 2 } }),
  );
  const placed = await call("POST /api/orders/", () =>
    me.orders.$post(
      { json: { shipping_address: "1 Tour Street, Lyon", phone_number: "+33100000000" } },
      { headers: { "idempotency-key": `tour-${user}` } },
    ),
  );
  const placedOrder = placed.status === 201 ? (placed.body as Placed).order : null;
  const order = id(placed, () => placedOrder?.id);
  await seeStock(product);
  await call("GET /api/orders/", () => me.orders.$get({ query: {} }));
  await call("GET /api/orders/{id}/", () => me.orders[ID].$get(at(order)));
  // Methods the route does not have (the contract's 405s), so the typed client cannot send them.
  for (const method of ["PUT", "PATCH", "DELETE"])
    await call(`${method} /api/orders/{id}/`, () =>
      h.request(`/api/orders/${order}/`, {
        method,
        headers: {
          authorization: `Bearer ${meToken}`,
          ...(method === "DELETE" ? {} : { "content-type": "application/json" }),
        },
        body: method === "DELETE" ? undefined : JSON.stringify({ status: "delivered" }),
      }),
    );
  await call("PATCH /api/orders/{id}/update_status/", () =>
    staff.orders[ID].update_status.$patch({ ...at(order), json: { status: "processing" } }),
  );
  await call("POST /api/orders/{id}/cancel/", () => staff.orders[ID].cancel.$post(at(order)));
  await seeStock(product);

  await call("GET /api/admin/me/", () => staff.admin.me.$get());
  await call("GET /api/admin/customers/", () => staff.admin.customers.$get({ query: {} }));
  const customer = id(reg, () => (reg.body as { user?: { id: number } }).user?.id);
  await call("GET /api/admin/customers/{id}/", () => staff.admin.customers[ID].$get(at(customer)));
  await call("GET /api/admin/orders/", () => staff.admin.orders.$get({ query: {} }));
  await call("GET /api/admin/orders/{id}/", () => staff.admin.orders[ID].$get(at(order)));
  await call("GET /api/admin/stats/", () => staff.admin.stats.$get({ query: { tz: "Europe/Berlin" } }));
  await call("GET /api/admin/carts/", () => staff.admin.carts.$get({ query: {} }));

  // An endpoint that is off, at an address written in the URL: nothing is looked up or sent.
  const hooks = staff.admin.webhooks;
  const hook = idOf(
    await call("POST /api/admin/webhooks/", () =>
      hooks.$post({ json: { url: "https://93.184.216.34/tour", events: ["order.created"], is_active: false } }),
    ),
  );
  await call("GET /api/admin/webhooks/", () => hooks.$get({ query: {} }));
  await call("GET /api/admin/webhooks/{id}/", () => hooks[ID].$get(at(hook)));
  await call("PUT /api/admin/webhooks/{id}/", () => hooks[ID].$put({ ...at(hook), json: { description: "put" } }));
  await call("PATCH /api/admin/webhooks/{id}/", () =>
    hooks[ID].$patch({ ...at(hook), json: { description: "patch" } }),
  );
  await call("POST /api/admin/webhooks/{id}/rotate-secret/", () =>
    hooks[ID]["rotate-secret"].$post({ ...at(hook), json: { grace_seconds: 60 } }),
  );
  const sent = await call("POST /api/admin/webhooks/{id}/test/", () => hooks[ID].test.$post(at(hook)));
  await call("GET /api/admin/webhooks/{id}/deliveries/", () => hooks[ID].deliveries.$get({ ...at(hook), query: {} }));
  const delivery = id(sent, () => (sent.body as { id?: number }).id);
  await call("POST /api/admin/webhooks/{id}/deliveries/{delivery}/redeliver/", () =>
    hooks[ID].deliveries[":delivery{[0-9]+}"].redeliver.$post({
      param: { id: String(hook), delivery: String(delivery) },
    }),
  );
  await call("DELETE /api/admin/webhooks/{id}/", () => hooks[ID].$delete(at(hook)));

  // The product is in an order, so DELETE archives it; restored, then archived again.
  await call("DELETE /api/products/{id}/", () => staff.products[ID].$delete(at(product)));
  await call("GET /api/admin/products/archived/", () => staff.admin.products.archived.$get({ query: {} }));
  await call("POST /api/admin/products/{id}/restore/", () => staff.admin.products[ID].restore.$post(at(product)));
  await call("DELETE /api/products/{id}/", () => staff.products[ID].$delete(at(product)));
  await call("DELETE /api/products/categories/{id}/", () => staff.products.categories[ID].$delete(at(spare)));
  for (const [op, path] of [
    ["GET /ws/orders/notifications/", `/ws/orders/notifications/?token=${meToken}`],
    ["GET /ws/admin/orders/", `/ws/admin/orders/?token=${staffToken}`],
  ] as const) {
    const started = performance.now();
    const { status, first } = await openSocket(h, path);
    steps.push({ op, status, ms: performance.now() - started, body: first, cache: null });
  }
  // Last: a logout ends the session's access tokens too, the one the walk uses included.
  const refresh = (refreshed.body as { refresh?: string } | null)?.refresh ?? known.refresh ?? "none";
  await call("POST /api/auth/logout/", () => me.auth.logout.$post({ json: { refresh } }));
  return { steps, stock, order: placedOrder };
}

/** Opens a WebSocket: the status of the upgrade (101) and the first message, or the refusal's body; 0 after 10 s. */
async function openSocket(h: E2eHarness, path: string): Promise<{ status: number; first: unknown }> {
  const timeout = settle(10_000).then(() => null);
  const socket = await Promise.race([h.connect(path), timeout]);
  if (!socket) return { status: 0, first: null };
  if (!socket.ws) return { status: socket.res.status, first: socket.res.text ? JSON.parse(socket.res.text) : null };
  const deadline = Date.now() + 10_000;
  while (!socket.messages.length && Date.now() < deadline) await settle(20);
  socket.ws.close();
  return socket.messages.length ? { status: 101, first: socket.messages[0] } : { status: 0, first: null };
}

/** What each operation answers with every dependency up (the walk's inputs are all valid). */
export function expectedStatus(op: string): number {
  if (
    op.startsWith("POST /api/auth/register/") ||
    op === "POST /api/products/" ||
    op === "POST /api/products/categories/" ||
    op === "POST /api/orders/" ||
    op === "POST /api/admin/webhooks/"
  )
    return 201;
  if (/^POST \/api\/admin\/webhooks\/\{id\}\/(test|deliveries)/.test(op)) return 202;
  if (op.startsWith("DELETE /api/products/") || op === "DELETE /api/admin/webhooks/{id}/") return 204;
  if (/^(PUT|PATCH|DELETE) \/api\/orders\/\{id\}\/$/.test(op)) return 405;
  if (op.startsWith("GET /ws/")) return 101;
  return 200;
}

/** Operations /api/schema/ documents, as `METHOD /path/`. */
export async function documentedOps(h: E2eHarness): Promise<string[]> {
  const doc = (await (await h.request("/api/schema/")).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
}
