import { Hono } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../../context";
import { ID, pathId } from "../../lib/fields";
import { validate } from "../../lib/validate";
import { authorized, requireStaff } from "../../middleware/auth";
import { doc, PARTIAL_UPDATES } from "../../openapi/describe";
import { Detail } from "../../openapi/schemas";
import { catalogVersionKeys as ver } from "./cache.keys";
import { cachedText, invalidateWholeCatalog, jsonText } from "./cache.service";
import { categoryCreate, categoryUpdate } from "./categories.schemas";
import { Category, CategoryList } from "./categories.serialize";
import {
  categoryQuery,
  createCategoryQuery,
  createdCategory,
  deleteCategoryQuery,
  deletedCategory,
  getCategory,
  listCategories,
  updateCategoryQuery,
  updatedCategory,
} from "./categories.service";

const categoryRoutes = new Hono<AppEnv>()
  .get(
    "/",
    doc({
      tag: "categories",
      summary: "List categories (not paginated)",
      ok: { status: 200, description: "Every category", schema: CategoryList },
    }),
    async (c) =>
      jsonText<z.infer<typeof CategoryList>>(
        c,
        await cachedText(c, [ver.lists], "catalog:categories", async () =>
          JSON.stringify(await listCategories(c.var.db)),
        ),
      ),
  )
  .get(
    ID,
    doc({
      tag: "categories",
      summary: "One category",
      ok: { status: 200, description: "The category", schema: Category },
    }),
    async (c) => c.json(await getCategory(c.var.db, pathId(c.req.param("id")))),
  )
  .post(
    "/",
    doc({
      tag: "categories",
      summary: "Create a category",
      description: "Names are unique, case-insensitively.",
      ok: { status: 201, description: "Created", schema: Category },
    }),
    requireStaff(),
    validate("json", categoryCreate),
    async (c) => {
      const [made] = await authorized(c, createCategoryQuery(c.var.db, c.req.valid("json")));
      const category = createdCategory(made);
      await invalidateWholeCatalog(c.var.cache);
      return c.json(category, 201);
    },
  )
  .on(
    ["PUT", "PATCH"],
    ID,
    doc({
      tag: "categories",
      summary: "Update a category",
      description: PARTIAL_UPDATES,
      ok: { status: 200, description: "Updated", schema: Category },
    }),
    requireStaff(),
    validate("json", categoryUpdate),
    async (c) => {
      const id = pathId(c.req.param("id"));
      const category = updatedCategory(
        await authorized(c, updateCategoryQuery(c.var.db, id, c.req.valid("json")), categoryQuery(c.var.db, id)),
      );
      await invalidateWholeCatalog(c.var.cache);
      return c.json(category);
    },
  )
  .delete(
    ID,
    doc({
      tag: "categories",
      summary: "Delete a category without products",
      ok: { status: 204, description: "Deleted" },
      responses: { 400: { description: "The category still has products (archived ones included)", schema: Detail } },
    }),
    requireStaff(),
    async (c) => {
      deletedCategory((await authorized(c, deleteCategoryQuery(c.var.db, pathId(c.req.param("id")))))[0]);
      await invalidateWholeCatalog(c.var.cache);
      return c.body(null, 204);
    },
  );

export default categoryRoutes;
