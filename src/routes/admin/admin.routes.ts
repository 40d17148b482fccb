import { eq } from "drizzle-orm";
import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { users } from "../../db/schema";
import { invalidToken } from "../../lib/errors";
import { ID, pathId } from "../../lib/fields";
import { toPage } from "../../lib/pagination";
import { validate } from "../../lib/validate";
import { authorized, requireStaff } from "../../middleware/auth";
import { doc } from "../../openapi/describe";
import { userJson } from "../auth/auth.serialize";
import { adminOrdersQuery, customersQuery as customersParams } from "./admin.schemas";
import { Customer, CustomerPage, StaffMe, StaffOrder, StaffOrderPage } from "./admin.serialize";
import { customerJson, customerQuery, customersPage, customersQuery } from "./customers.service";
import dashboard from "./dashboard.routes";
import { adminOrderJson, adminOrderQueries, adminOrdersPage, adminOrdersQueries } from "./orders.service";

/**
 * `/api/admin`: staff-only reads the staff console needs beyond the contract's routes. Each
 * route carries `requireStaff()` itself, so an unknown path here is a plain 404 for anyone.
 */
const admin = new Hono<AppEnv>()
  .get(
    "/me",
    doc({
      tag: "admin",
      summary: "Who is signed in, if staff",
      description:
        "The staff console calls this after signing in: customers get 403 (the contract's user JSON has no `is_staff`).",
      ok: { status: 200, description: "The staff user", schema: StaffMe },
    }),
    requireStaff(),
    async (c) => {
      const [[user]] = await authorized(c, c.var.db.select().from(users).where(eq(users.id, c.var.session.userId)));
      if (!user) throw invalidToken();
      return c.json({ ...userJson(user), is_staff: true as const }, 200);
    },
  )
  .get(
    "/customers",
    doc({
      tag: "admin",
      summary: "List accounts, newest first (paginated)",
      errors: [404],
      ok: { status: 200, description: "One page of accounts with their order counts", schema: CustomerPage },
    }),
    requireStaff(),
    validate("query", customersParams),
    async (c) => {
      const query = c.req.valid("query");
      const [rows] = await authorized(c, customersQuery(c.var.db, query));
      const { count, results } = customersPage(rows);
      return c.json(toPage(c.req.url, query, count, results), 200);
    },
  )
  .get(
    `/customers${ID}`,
    doc({
      tag: "admin",
      summary: "One account's profile and order summary",
      description: "Read-only. The account's orders are listed by `GET /api/admin/orders/?user=<id>`.",
      ok: { status: 200, description: "The account", schema: Customer },
    }),
    requireStaff(),
    async (c) => {
      const [row] = await authorized(c, customerQuery(c.var.db, pathId(c.req.param("id"))));
      return c.json(customerJson(row), 200);
    },
  )
  .get(
    "/orders",
    doc({
      tag: "admin",
      summary: "List every order with its customer, newest first (paginated)",
      errors: [404],
      ok: { status: 200, description: "One page of orders", schema: StaffOrderPage },
    }),
    requireStaff(),
    validate("query", adminOrdersQuery),
    async (c) => {
      const query = c.req.valid("query");
      const { count, results } = adminOrdersPage(await authorized(c, ...adminOrdersQueries(c.var.db, query)), query);
      return c.json(toPage(c.req.url, query, count, results), 200);
    },
  )
  .get(
    `/orders${ID}`,
    doc({
      tag: "admin",
      summary: "One order with its customer's email, allowed next statuses and status history",
      ok: { status: 200, description: "The order", schema: StaffOrder },
    }),
    requireStaff(),
    async (c) =>
      c.json(adminOrderJson(await authorized(c, ...adminOrderQueries(c.var.db, pathId(c.req.param("id"))))), 200),
  )
  .route("/", dashboard);

export default admin;
