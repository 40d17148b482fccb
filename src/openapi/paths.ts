import { adminPaths } from "./paths-admin";
import { authPaths } from "./paths-auth";
import { catalogPaths } from "./paths-catalog";
import { orderPaths } from "./paths-orders";
import { realtimePaths } from "./paths-realtime";
import type { ApiRoute } from "./route";

/** Every operation the document describes, in the order the docs page lists them. */
export const apiRoutes: ApiRoute[] = [...authPaths, ...catalogPaths, ...orderPaths, ...adminPaths, ...realtimePaths];
