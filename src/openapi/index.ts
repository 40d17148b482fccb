import { Hono } from "hono";
import type { AppEnv } from "../env";
import { docsPage } from "./docs-page";
import { openApiDocument } from "./document";

/** `/api/schema/` and `/api/docs/`: no database, so mounted before the services middleware. */
const openapi = new Hono<AppEnv>()
  .get("/schema", (c) => c.json(openApiDocument()))
  .get("/docs", (c) => c.html(docsPage));

export default openapi;
