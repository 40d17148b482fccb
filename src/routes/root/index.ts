import { Hono } from "hono";
import type { AppEnv } from "../../env";

/** DRF's browsable root: links to each resource, and no I/O (it is the benchmark floor). */
const root = new Hono<AppEnv>().get("/", (c) => {
  const base = new URL("/api/", c.req.url).toString();
  return c.json({
    auth: `${base}auth/`,
    products: `${base}products/`,
    categories: `${base}products/categories/`,
    orders: `${base}orders/`,
    health: `${base}health/`,
  });
});

export default root;
