// Progress of a long command on stderr (stdout stays its result): a line each time another
// `every` items are done, and one at the end, with the rate so far and the time left at that
// rate. A command shorter than `every` items prints only the last.

/** Counts as people read them: 12,345. */
export const count = (n: number) => n.toLocaleString("en-US");

export interface Progress {
  /** `n` more items are done; `note` says what (a table's name, say). */
  add(n: number, note?: string): void;
}

export function progress(
  label: string,
  total: number,
  { unit, every, out = process.stderr }: { unit: string; every: number; out?: NodeJS.WritableStream },
): Progress {
  const started = performance.now();
  let done = 0;
  return {
    add(n, note) {
      const before = done;
      done += n;
      if (done < total && Math.floor(done / every) === Math.floor(before / every)) return;
      const seconds = (performance.now() - started) / 1000;
      const rate = done / Math.max(seconds, 0.001);
      const share = total > 0 ? Math.floor((100 * done) / total) : 100;
      const left = done < total ? `, about ${Math.ceil((total - done) / rate)} s left` : "";
      out.write(
        `${label}: ${count(done)} of ${count(total)} ${unit} (${share} %)${note ? `, ${note}` : ""}; ` +
          `${count(Math.round(rate))} ${unit}/s${left}\n`,
      );
    },
  };
}
