// Progress of a long command on stderr (stdout stays its result): done/total, the rate and the
// time left, at most one line a second and always the last one.

export interface Progress {
  /** `done` of `total` items are finished. */
  update(done: number): void;
}

const seconds = (s: number) => (s < 90 ? `${Math.ceil(s)} s` : `${Math.ceil(s / 60)} min`);

export function progress(label: string, total: number, out: NodeJS.WritableStream = process.stderr): Progress {
  const started = performance.now();
  let shown = 0;
  return {
    update(done) {
      const now = performance.now();
      if (done < total && now - shown < 1000) return;
      shown = now;
      const elapsed = (now - started) / 1000;
      const rate = elapsed > 0 ? done / elapsed : 0;
      const left = done < total && rate > 0 ? `, ${seconds((total - done) / rate)} left` : "";
      out.write(
        `${label}: ${done.toLocaleString("en")}/${total.toLocaleString("en")} (${Math.round(rate).toLocaleString("en")}/s${left})\n`,
      );
    },
  };
}
