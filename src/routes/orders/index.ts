import { Hono } from "hono";
import type { AppEnv } from "../../context";
import cart from "./cart.routes";
import orders from "./orders.routes";

/** `/api/orders`: the cart first, so `cart` is never read as an order id. */
const router = new Hono<AppEnv>().route("/", cart).route("/", orders);

export default router;
