import { bearer, makeCategory, makeProduct, makeUser } from "./catalog-support";
import type { WorkerHarness } from "./support";

export interface Shopper {
  id: number;
  token: string;
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** Helpers for cart and order tests on one test file's database. */
export function shop(w: WorkerHarness) {
  let category: number | undefined;
  let n = 0;

  const call = async (
    who: Shopper | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await w.request(path, {
      method,
      headers: {
        ...(who ? bearer(who.token) : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers, text };
  };

  return {
    call,
    user: (staff = false): Promise<Shopper> => makeUser(w, staff),
    async product(price: string, stock: number, name = `Item ${++n}`): Promise<number> {
      category ??= await makeCategory(w, `Orders ${crypto.randomUUID().slice(0, 8)}`);
      return makeProduct(w, { name, price, stock, category });
    },
    add: (who: Shopper, product_id: number, quantity = 1) =>
      call(who, "POST", "/api/orders/cart/add_item/", { product_id, quantity }),
    place: (who: Shopper, headers: Record<string, string> = {}, body?: unknown) =>
      call(
        who,
        "POST",
        "/api/orders/",
        body ?? { shipping_address: "12 Long Street, Springfield", phone_number: "+15550100" },
        headers,
      ),
    /** A placed order of `quantity` × a new product at `price`; returns the order detail. */
    async order(who: Shopper, price = "10.00", quantity = 1, stock = 10) {
      const product = await this.product(price, stock);
      await this.add(who, product, quantity);
      const r = await this.place(who);
      if (r.status !== 201) throw new Error(`placing failed: ${r.status} ${r.text}`);
      return { ...r.body.order, productId: product };
    },
    stock: async (id: number) =>
      (await w.query<{ stock: number }>("select stock from products where id = $1", [id]))[0]!.stock,
  };
}
