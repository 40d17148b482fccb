/** Rows in thousands as people read them: 12,345. */
export const count = (n: number) => n.toLocaleString("en-US");

/**
 * A line on stderr each time another `every` rows are copied, with the rate so far and the time left at that
 * rate, so a large shop's import shows it is moving. A small one prints none.
 */
export class Progress {
  private done = 0;
  private readonly started = performance.now();
  private readonly total: number;
  private readonly every: number;

  constructor(total: number, every = 5000) {
    this.total = total;
    this.every = every;
  }

  add(label: string, rows: number): void {
    const before = this.done;
    this.done += rows;
    if (Math.floor(this.done / this.every) === Math.floor(before / this.every)) return;
    const seconds = (performance.now() - this.started) / 1000;
    const rate = this.done / Math.max(seconds, 0.001);
    const left = Math.ceil((this.total - this.done) / rate);
    const share = Math.floor((100 * this.done) / this.total);
    process.stderr.write(
      `import-django: ${count(this.done)} of ${count(this.total)} rows (${share} %), ${label}; ` +
        `${count(Math.round(rate))} rows/s, about ${left} s left\n`,
    );
  }
}
