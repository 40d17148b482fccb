import { type Context, Hono } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../../context";
import { notFound } from "../../lib/errors";
import { ID, pathId } from "../../lib/fields";
import { pageOffset, toPageText } from "../../lib/pagination";
import { validate } from "../../lib/validate";
import { authorized, requireStaff } from "../../middleware/auth";
import { doc, PARTIAL_UPDATES } from "../../openapi/describe";
import { claimQuery, enqueueAfter } from "../../webhooks/fanout";
import { catalogVersionKeys as ver } from "./cache.keys";
import { cachedText, invalidateWholeCatalog, jsonText } from "./cache.service";
import { Facets } from "./facets.serialize";
import { productFacets } from "./facets.service";
import { facetsQuery, listQuery, lowStockQuery, productCreate, productUpdate } from "./products.schemas";
import { Product, ProductDetail, ProductList, ProductPage } from "./products.serialize";
import {
  createProductQuery,
  deleteProductQueries,
  listProducts,
  lowStockJson,
  lowStockQueries,
  productDetail,
  updateProductQuery,
  writtenProduct,
} from "./products.service";
import type { SearchMode } from "./search.service";

const searchModeHeader = {
  "X-Search-Mode": {
    description:
      "With `search`: `fulltext` when full-text search answered, `fuzzy` when it found nothing and names similar to the words typed answered",
    values: ["fulltext", "fuzzy"] satisfies SearchMode[],
  },
};

/**
 * Catalog text as cached: a first line of words (a page's count, a search's mode), a newline, and
 * the JSON. The mode is cached with the answer, so a hit still says it in `X-Search-Mode`.
 */
const headed = (words: (number | string | undefined)[], json: string) =>
  `${words.filter((word) => word !== undefined).join(" ")}\n${json}`;
function unhead(c: Context<AppEnv>, text: string): [words: string[], json: string] {
  const newline = text.indexOf("\n");
  const words = text.slice(0, newline).split(" ");
  const mode = words.find((word) => word === "fulltext" || word === "fuzzy");
  if (mode) c.header("X-Search-Mode", mode);
  return [words, text.slice(newline + 1)];
}

const productRoutes = new Hono<AppEnv>()
  .get(
    "/",
    doc({
      tag: "products",
      summary: "List products (paginated, filtered)",
      description:
        "Served from the Redis cache when it is up (`X-Cache: HIT|MISS|BYPASS`). A filter value of the wrong type, or an unknown `category`, is a 400 naming the parameter.",
      errors: [404],
      ok: { status: 200, description: "One page of products", schema: ProductPage, headers: searchModeHeader },
    }),
    validate("query", listQuery),
    async (c) => {
      const q = c.req.valid("query");
      const offset = pageOffset(q);
      const order = q.ordering ?? (q.search === undefined ? "-created_at" : "relevance");
      // The key is the parsed query in a fixed order, so equivalent URLs share an entry;
      // links are built per request since they depend on the URL as sent.
      const params = [q.page, q.page_size, order, q.category, q.min_price, q.max_price, q.in_stock, q.search];
      const text = await cachedText(c, [ver.lists], `catalog:list:${JSON.stringify(params)}`, async () => {
        const { count, results, mode } = await listProducts(c.var.db, q, order, q.page_size, offset);
        return headed([count, mode], JSON.stringify(results));
      });
      const [[count], results] = unhead(c, text);
      return jsonText<z.infer<typeof ProductPage>>(c, toPageText(c.req.url, q, Number(count), results));
    },
  )
  .get(
    "/facets",
    doc({
      tag: "products",
      summary: "Counts to narrow the list by: per category, price band and stock state",
      description:
        "Takes the list's filters (`page` and `ordering` do not apply) and counts the products they leave, as `GET /api/products/` would list them. Cached and invalidated like the list (`X-Cache`).",
      ok: { status: 200, description: "The counts", schema: Facets, headers: searchModeHeader },
    }),
    validate("query", facetsQuery),
    async (c) => {
      const q = c.req.valid("query");
      const params = [q.category, q.min_price, q.max_price, q.in_stock, q.search];
      const text = await cachedText(c, [ver.lists], `catalog:facets:${JSON.stringify(params)}`, async () => {
        const { facets, mode } = await productFacets(c.var.db, q);
        return headed([mode], JSON.stringify(facets));
      });
      return jsonText<z.infer<typeof Facets>>(c, unhead(c, text)[1]);
    },
  )
  .get(
    "/low_stock",
    doc({
      tag: "products",
      summary: "Products with 0 < stock < threshold",
      ok: { status: 200, description: "Plain list, lowest stock first", schema: ProductList },
    }),
    requireStaff(),
    validate("query", lowStockQuery),
    async (c) => {
      const { threshold, category } = c.req.valid("query");
      // Not cached: staff act on it, so it is always read from Postgres.
      return c.json(lowStockJson(await authorized(c, ...lowStockQueries(c.var.db, threshold, category)), category));
    },
  )
  .get(
    ID,
    doc({
      tag: "products",
      summary: "One product, with its category nested",
      ok: { status: 200, description: "The product", schema: ProductDetail },
    }),
    async (c) => {
      const id = pathId(c.req.param("id"));
      const product = await cachedText(c, [ver.details, ver.product(id)], `catalog:product:${id}`, async () =>
        JSON.stringify(await productDetail(c.var.db, id)),
      );
      return jsonText<z.infer<typeof ProductDetail>>(c, product);
    },
  )
  .post(
    "/",
    doc({ tag: "products", summary: "Create a product", ok: { status: 201, description: "Created", schema: Product } }),
    requireStaff(),
    validate("json", productCreate),
    async (c) => {
      const input = c.req.valid("json");
      const [created] = await authorized(c, createProductQuery(c.var.db, input));
      const product = writtenProduct(created, input.category);
      await invalidateWholeCatalog(c.var.cache);
      return c.json(product, 201);
    },
  )
  .on(
    ["PUT", "PATCH"],
    ID,
    doc({
      tag: "products",
      summary: "Update a product",
      description: PARTIAL_UPDATES,
      ok: { status: 200, description: "Updated", schema: Product },
    }),
    requireStaff(),
    validate("json", productUpdate),
    async (c) => {
      const patch = c.req.valid("json");
      // A stock change may cross the low or out-of-stock line: the batch claims the webhook
      // deliveries its trigger wrote (migration 0009), queued once the answer is out.
      const [changed, claimed] = await authorized(
        c,
        updateProductQuery(c.var.db, pathId(c.req.param("id")), patch),
        claimQuery(c.var.db, { queue: patch.stock !== undefined && c.env.WEBHOOKS }),
      );
      enqueueAfter(c, claimed.rows);
      const product = writtenProduct(changed, patch.category);
      await invalidateWholeCatalog(c.var.cache);
      return c.json(product);
    },
  )
  .delete(
    ID,
    doc({
      tag: "products",
      summary: "Delete a product",
      description:
        "A product that appears in orders is archived (hidden from the catalog) instead, so order history keeps it.",
      ok: { status: 204, description: "Deleted or archived" },
    }),
    requireStaff(),
    async (c) => {
      const [, done] = await authorized(c, ...deleteProductQueries(c.var.db, pathId(c.req.param("id"))));
      if (!done.rows[0]?.found) throw notFound();
      await invalidateWholeCatalog(c.var.cache);
      return c.body(null, 204);
    },
  );

export default productRoutes;
