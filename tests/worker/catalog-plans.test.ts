import { drizzle } from "drizzle-orm/neon-http";
import { beforeAll, describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema";
import type { Ordering } from "../../src/routes/products/products.schemas";
import { type ProductFilters, pageQuery } from "../../src/routes/products/products.service";
import { makeCategory } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
let category: number;

beforeAll(async () => {
  category = await makeCategory(w, "Plans");
  const other = await makeCategory(w, "Others");
  // Enough rows that a sort of everything costs more than walking an index.
  await w.query(
    `insert into products (name, price, stock, category_id, created_at)
     select 'P' || g, (g % 999 + 1)::numeric, g % 50, case when g % 5 = 0 then $1::int else $2::int end, now() - make_interval(secs => g)
     from generate_series(1, 30000) g`,
    [category, other],
  );
  await w.query("vacuum analyze products");
  await w.query("analyze categories");
});

/** The plan Postgres picks for the exact statement a list page runs. */
async function plan(filters: ProductFilters, ordering: Ordering): Promise<string> {
  const { sql, params } = pageQuery(drizzle.mock({ schema }), filters, ordering, 10, 0).toSQL();
  const rows = await w.query<{ "QUERY PLAN": string }>(`explain ${sql}`, params);
  return rows.map((r) => r["QUERY PLAN"]).join("\n");
}

describe("list pages read from the partial indexes", () => {
  it("walks an index for every ordering instead of sorting the catalog", async () => {
    const cases: [Ordering, RegExp][] = [
      ["-created_at", /Index Scan using products_created_idx/],
      ["created_at", /Index Scan Backward using products_created_idx/],
      ["price", /Index Scan using products_price_idx/],
      ["-price", /Index Scan Backward using products_price_idx/],
      ["name", /Index Scan using products_name_idx/],
      ["stock", /Index Scan using products_stock_idx/],
    ];
    for (const [ordering, index] of cases) {
      const text = await plan({}, ordering);
      expect(text, ordering).toMatch(index);
      expect(text, ordering).not.toMatch(/Sort Key/);
    }
  });

  it("uses the (category, created_at) index for the category filter", async () => {
    const text = await plan({ category }, "-created_at");
    expect(text).toMatch(/products_category_created_idx/);
    expect(text).not.toMatch(/Sort Key/);
  });
});
