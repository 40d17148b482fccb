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
  it("prints at most a line a second with the rate and time left, and always the last", () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const { out, lines } = sink();
    const p = progress("rows", 10_000, out);
    vi.advanceTimersByTime(1000);
    p.update(2_000);
    p.update(2_500); // within the same second: not shown
    vi.advanceTimersByTime(1000);
    p.update(4_000);
    p.update(10_000);
    expect(lines).toEqual([
      "rows: 2,000/10,000 (2,000/s, 4 s left)\n",
      "rows: 4,000/10,000 (2,000/s, 3 s left)\n",
      "rows: 10,000/10,000 (5,000/s)\n",
    ]);
  });
});
