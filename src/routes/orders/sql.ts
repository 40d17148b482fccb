import type { Db } from "../../db/client";

/** The statements a service needs; both the request's `db` and a transaction's `tx` provide them. */
export type Sql = Pick<Db, "execute" | "select">;
