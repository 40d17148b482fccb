import { drizzle } from "drizzle-orm/neon-http";
import { beforeAll, describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema";
import { searchFacetsQuery } from "../../src/routes/products/facets.service";
import type { Ordering } from "../../src/routes/products/products.schemas";
import {
  type ListOrder,
  type ProductFilters,
  pageQuery,
  searchPageQuery,
} from "../../src/routes/products/products.service";
import { makeCategory } from "../harness/fixtures";
import { useWorker } from "./support";

const w = useWorker();
let category: number;

beforeAll(async () => {
  category = await makeCategory(w, "Plans");
  const other = await makeCategory(w, "Others");
  // 100,000 rows, as the catalog: a sort, or a search, of everything costs far more than an index.
  await w.query(
    `insert into products (name, description, price, stock, category_id, created_at)
     select 'P' || g || ' ' || (array['Widget', 'Gadget', 'Gizmo', 'Sprocket'])[1 + g % 4], 'Generated item ' || g,
       (g % 999 + 1)::numeric, g % 50, case when g % 5 = 0 then $1::int else $2::int end, now() - make_interval(secs => g)
     from generate_series(1, 100000) g`,
    [category, other],
  );
  await w.query(
    `insert into products (name, description, price, stock, category_id) values
     ('Mechanical Keyboard', 'Hot-swappable switches', 89.90, 7, $1), ('Keyboard Cover', 'Silicone, for any laptop keyboard', 9.99, 0, $1)`,
    [category],
  );
  await w.query("vacuum analyze products");
  await w.query("analyze categories");
});

const mock = drizzle.mock({ schema });

async function explain({ sql, params }: { sql: string; params: unknown[] }): Promise<string> {
  const rows = await w.query<{ "QUERY PLAN": string }>(`explain ${sql}`, params);
  return rows.map((r) => r["QUERY PLAN"]).join("\n");
}
/** The plan Postgres picks for the exact statement a list page runs. */
const plan = (filters: ProductFilters, ordering: Ordering) =>
  explain(pageQuery(mock, filters, ordering, 10, 0).toSQL());

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

describe("searches read their matches from the GIN indexes at 100,000 products", () => {
  const searchPlan = (search: string, order: ListOrder, filters: ProductFilters = {}) =>
    explain(searchPageQuery(mock, { ...filters, search }, order, 10, 0).toSQL());

  it("finds full-text hits through the tsvector index, whatever the order, filters or syntax", async () => {
    const cases: [string, ListOrder, ProductFilters][] = [
      ["keyboard", "relevance", {}],
      ["keyboards", "price", {}],
      ["keyb", "relevance", {}],
      ['"mechanical keyboard"', "-created_at", {}],
      ["keyboard -cover", "relevance", { in_stock: true }],
      ["keyboard", "relevance", { category: 1, min_price: "5.00" }],
    ];
    for (const [search, order, filters] of cases) {
      const text = await searchPlan(search, order, filters);
      const what = `${search} ${order} ${JSON.stringify(filters)}`;
      expect(text, what).toMatch(/Bitmap Index Scan on products_search_idx/);
      // The fallback is planned too, behind the count of full-text hits.
      expect(text, what).toMatch(/One-Time Filter/);
      expect(text, what).not.toMatch(/Seq Scan on products/);
    }
  });

  it("finds a misspelt name through the trigram index", async () => {
    for (const search of ["keybaord", "mechanicl keybord -cover"]) {
      const text = await searchPlan(search, "relevance");
      expect(text, search).toMatch(/Bitmap Index Scan on products_name_trgm_idx/);
      expect(text, search).not.toMatch(/Seq Scan on products/);
    }
  });

  it("counts a search's facets from the same index scans", async () => {
    const text = await explain(searchFacetsQuery(mock, { search: "keyboard" }).toSQL());
    expect(text).toMatch(/Bitmap Index Scan on products_search_idx/);
    expect(text).toMatch(/Bitmap Index Scan on products_name_trgm_idx/);
    expect(text).not.toMatch(/Seq Scan on products/);
  });
});
