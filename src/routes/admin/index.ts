import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { users } from "../../db/schema";
import type { AppEnv } from "../../env";
import { invalidToken } from "../../lib/errors";
import { pathId } from "../../lib/fields";
import { toPage } from "../../lib/pagination";
import { validate } from "../../lib/validate";
import { requireStaff } from "../../middleware/auth";
import { userJson } from "../auth/auth.serialize";
import { adminOrdersQuery, customersQuery } from "./admin.schemas";
import { customerDetail, listCustomers } from "./customers.service";
import { adminOrderDetail, listAdminOrders } from "./orders.service";

const ID = "/:id{[0-9]+}";

/**
 * `/api/admin`: staff-only reads the staff console needs beyond the contract's routes. Each
 * route carries `requireStaff()` itself, so an unknown path here is a plain 404 for anyone.
 */
const admin = new Hono<AppEnv>()
  // The console's sign-in check: 200 for staff, 403 for customers (the contract's user JSON has no is_staff).
  .get("/me", requireStaff(), async (c) => {
    const [user] = await c.var.db.select().from(users).where(eq(users.id, c.var.user.id));
    if (!user) throw invalidToken();
    return c.json({ ...userJson(user), is_staff: true as const }, 200);
  })
  .get("/customers", requireStaff(), validate("query", customersQuery), async (c) => {
    const query = c.req.valid("query");
    const { count, results } = await listCustomers(c.var.db, query);
    return c.json(toPage(c.req.url, query, count, results), 200);
  })
  .get(`/customers${ID}`, requireStaff(), async (c) => c.json(await customerDetail(c.var.db, pathId(c.req.param("id"))), 200))
  .get("/orders", requireStaff(), validate("query", adminOrdersQuery), async (c) => {
    const query = c.req.valid("query");
    const { count, results } = await listAdminOrders(c.var.db, query);
    return c.json(toPage(c.req.url, query, count, results), 200);
  })
  .get(`/orders${ID}`, requireStaff(), async (c) => c.json(await adminOrderDetail(c.var.db, pathId(c.req.param("id"))), 200));

export default admin;
