import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { pathId } from "../../lib/fields";
import { validate } from "../../lib/validate";
import { requireStaff } from "../../middleware/auth";
import { cachedRead, invalidateWholeCatalog } from "./catalog-cache";
import { catalogVersionKeys as ver } from "./catalog-keys";
import { categoryCreate, categoryUpdate } from "./categories.schemas";
import { createCategory, deleteCategory, getCategory, listCategories, updateCategory } from "./categories.service";

const ID = "/:id{[0-9]+}";

const categoryRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await cachedRead(c, [ver.lists], "catalog:categories", () => listCategories(c.var.db))))
  .get(ID, async (c) => c.json(await getCategory(c.var.db, pathId(c.req.param("id")))))
  .post("/", requireStaff(), validate("json", categoryCreate), async (c) => {
    const category = await createCategory(c.var.db, c.req.valid("json"));
    await invalidateWholeCatalog(c.var.cache);
    return c.json(category, 201);
  })
  .on(["PUT", "PATCH"], ID, requireStaff(), validate("json", categoryUpdate), async (c) => {
    const category = await updateCategory(c.var.db, pathId(c.req.param("id")), c.req.valid("json"));
    await invalidateWholeCatalog(c.var.cache);
    return c.json(category);
  })
  .delete(ID, requireStaff(), async (c) => {
    await deleteCategory(c.var.db, pathId(c.req.param("id")));
    await invalidateWholeCatalog(c.var.cache);
    return c.body(null, 204);
  });

export default categoryRoutes;
