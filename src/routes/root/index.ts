import { Hono } from "hono";
import * as z from "zod";
import type { AppEnv } from "../../context";
import { doc } from "../../openapi/describe";

export const ApiRoot = z.record(z.string(), z.url()).meta({ id: "ApiRoot" });

const rootDoc = doc({
  tag: "operations",
  summary: "API root: links to each resource",
  noDb: true,
  ok: { status: 200, description: "Links", schema: ApiRoot },
});

/** DRF's browsable root: links to each resource, and no I/O (it is the benchmark floor). */
const root = new Hono<AppEnv>().get("/", rootDoc, (c) => {
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
