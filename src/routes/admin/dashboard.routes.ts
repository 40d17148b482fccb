import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { fieldError } from "../../lib/errors";
import { ID, pathId } from "../../lib/fields";
import { pageOffset, toPage } from "../../lib/pagination";
import { pgError } from "../../lib/pg-error";
import { validate } from "../../lib/validate";
import { authorized, requireStaff } from "../../middleware/auth";
import { doc } from "../../openapi/describe";
import { invalidateWholeCatalog } from "../products/cache.service";
import { Product, productJson } from "../products/products.serialize";
import { archivedProductsQuery, restoreProductQuery, writtenProduct } from "../products/products.service";
import { archivedQuery, cartsQuery } from "./admin.schemas";
import { ArchivedProductPage, OpenCartPage } from "./admin.serialize";
import { openCartsPage, openCartsQuery } from "./carts.service";
import { statsQuery, UNKNOWN_ZONE } from "./stats.schemas";
import { Stats } from "./stats.serialize";
import { statsQuery as figures, statsJson } from "./stats.service";

/** The console's dashboard, carts and archived products (README "Staff console"); staff only, like the rest of /api/admin. */
const dashboard = new Hono<AppEnv>()
  .get(
    "/stats",
    doc({
      tag: "admin",
      summary: "Sales per bucket of a range (in `tz`), today's, by status, top products, stock, open carts",
      ok: { status: 200, description: "The figures", schema: Stats },
    }),
    requireStaff(),
    validate("query", statsQuery),
    async (c) => {
      const query = c.req.valid("query");
      const [stats] = await authorized(c, figures(c.var.db, query)).catch((err) => {
        // A zone Intl knows and this Postgres's zone data does not (22023: invalid TimeZone).
        throw pgError(err)?.code === "22023" ? fieldError("tz", UNKNOWN_ZONE) : err;
      });
      return c.json(statsJson(stats, query), 200);
    },
  )
  .get(
    "/carts",
    doc({
      tag: "admin",
      summary: "Open carts, latest activity first (paginated)",
      errors: [404],
      ok: { status: 200, description: "One page of open carts", schema: OpenCartPage },
    }),
    requireStaff(),
    validate("query", cartsQuery),
    async (c) => {
      const query = c.req.valid("query");
      const [rows] = await authorized(c, openCartsQuery(c.var.db, query));
      const { count, results } = openCartsPage(rows);
      return c.json(toPage(c.req.url, query, count, results), 200);
    },
  )
  .get(
    "/products/archived",
    doc({
      tag: "admin",
      summary: "Archived products, latest first (paginated)",
      errors: [404],
      ok: { status: 200, description: "One page of archived products", schema: ArchivedProductPage },
    }),
    requireStaff(),
    validate("query", archivedQuery),
    async (c) => {
      const query = c.req.valid("query");
      const offset = pageOffset(query);
      const [rows] = await authorized(c, archivedProductsQuery(c.var.db, query.search, query.page_size, offset));
      return c.json(toPage(c.req.url, query, rows[0]?.total ?? 0, rows.map(productJson)), 200);
    },
  )
  .post(
    `/products${ID}/restore`,
    doc({
      tag: "admin",
      summary: "Bring an archived product back into the catalog",
      ok: { status: 200, description: "The restored product", schema: Product },
    }),
    requireStaff(),
    async (c) => {
      const [restored] = await authorized(c, restoreProductQuery(c.var.db, pathId(c.req.param("id"))));
      const product = writtenProduct(restored, undefined);
      await invalidateWholeCatalog(c.var.cache);
      return c.json(product, 200);
    },
  );

export default dashboard;
