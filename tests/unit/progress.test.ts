import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { progress } from "../../scripts/lib/progress.ts";

function sink() {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { out, lines };
}

afterEach(() => vi.useRealTimers());

describe("progress", () => {
  it("prints a line each time another `every` items are done, and the last, with the rate and time left", () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const { out, lines } = sink();
    const p = progress("db:seed", 10_000, { unit: "products", every: 4_000, out });
    vi.advanceTimersByTime(1000);
    p.add(2_000); // below the first 4,000: not shown
    vi.advanceTimersByTime(1000);
    p.add(2_500, "products");
    p.add(5_500);
    expect(lines).toEqual([
      "db:seed: 4,500 of 10,000 products (45 %), products; 2,250 products/s, about 3 s left\n",
      "db:seed: 10,000 of 10,000 products (100 %); 5,000 products/s\n",
    ]);
  });
});
