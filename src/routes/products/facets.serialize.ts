import * as z from "zod";
import { count, id, money } from "../../openapi/schemas";

/**
 * Upper edges of the price bands, as decimal strings: Postgres sorts prices into them
 * (`width_bucket` over numeric), so no price is ever a float. The last band has no upper edge.
 */
export const PRICE_BAND_EDGES = ["25.00", "50.00", "100.00", "250.00", "500.00", "1000.00"] as const;

export const Facets = z
  .object({
    count,
    categories: z.array(z.object({ id, name: z.string(), count })).meta({
      description: "Categories with at least one product under the filters, by name",
    }),
    price_bands: z.array(z.object({ min: money, max: money.nullable(), count })).meta({
      description:
        "Every band, empty ones included: `min <= price < max` (`max` null: no upper bound), i.e. `min_price=min&max_price=max - 0.01`",
    }),
    stock: z.object({ in_stock: count, out_of_stock: count }),
  })
  .meta({ id: "Facets" });
export type FacetsJson = z.infer<typeof Facets>;

/** One row of the facets statement: exactly one of `categoryId`, `band`, `inStock` is set, or none for the total. */
export interface FacetRow {
  categoryId: number | null;
  categoryName: string | null;
  band: number | null;
  inStock: boolean | null;
  n: number;
}

export function facetsJson(rows: FacetRow[]): FacetsJson {
  const bands = new Map<number, number>();
  const facets: FacetsJson = {
    count: 0,
    categories: [],
    price_bands: [],
    stock: { in_stock: 0, out_of_stock: 0 },
  };
  // Rows come by category name, so the categories keep that order.
  for (const row of rows) {
    if (row.categoryId !== null) facets.categories.push({ id: row.categoryId, name: row.categoryName!, count: row.n });
    else if (row.band !== null) bands.set(row.band, row.n);
    else if (row.inStock !== null) facets.stock[row.inStock ? "in_stock" : "out_of_stock"] = row.n;
    else facets.count = row.n;
  }
  // width_bucket numbers the band below the first edge 0 and the one from the last edge up edges.length.
  facets.price_bands = [null, ...PRICE_BAND_EDGES].map((min, band) => ({
    min: min ?? "0.00",
    max: PRICE_BAND_EDGES[band] ?? null,
    count: bands.get(band) ?? 0,
  }));
  return facets;
}
