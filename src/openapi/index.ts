import { Hono } from "hono";
import type { AppEnv } from "../context";
import { doc } from "./describe";
import { docsPage } from "./docs-page";
import { openApiDocument } from "./document";

/** `/api/schema/` and `/api/docs/` for `app`: no database, so mounted before the services middleware. */
export function docsRoutes(app: Hono<AppEnv>) {
  return new Hono<AppEnv>()
    .get(
      "/schema",
      doc({
        tag: "operations",
        summary: "This OpenAPI 3.1 document",
        noDb: true,
        ok: { status: 200, description: "The document", mediaType: "application/json" },
      }),
      async (c) => c.json(await openApiDocument(app)),
    )
    .get(
      "/docs",
      doc({
        tag: "operations",
        summary: "Interactive API docs (HTML)",
        noDb: true,
        ok: { status: 200, description: "The docs page", mediaType: "text/html" },
      }),
      (c) => c.html(docsPage),
    );
}
