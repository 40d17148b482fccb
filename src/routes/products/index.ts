import { Hono } from "hono";
import type { AppEnv } from "../../context";
import categoryRoutes from "./categories.routes";
import productRoutes from "./products.routes";

/** The catalog, mounted at /api/products: categories first so `/categories` is never read as a product. */
const products = new Hono<AppEnv>().route("/categories", categoryRoutes).route("/", productRoutes);

export default products;
