/** A one-line progress bar for long script steps (redrawn in place on a terminal, printed as lines otherwise). */

const WIDTH = 30;

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export class ProgressBar {
  private done = 0;
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly started = Date.now();
  private readonly tty: boolean;

  private readonly initial: number;
  private readonly out: NodeJS.WriteStream;

  /** `initial`: already done before this run (a resumed job); the rate counts only this run's work. */
  constructor(
    private readonly label: string,
    private readonly total: number,
    opts: { initial?: number; out?: NodeJS.WriteStream } = {},
  ) {
    this.initial = opts.initial ?? 0;
    this.done = this.initial;
    this.out = opts.out ?? process.stderr;
    this.tty = Boolean(this.out.isTTY);
  }

  /** Sets the absolute count (skipped items count too, e.g. on a resumed run). */
  update(done: number): void {
    this.done = done;
    const now = Date.now();
    if (this.tty) {
      if (now - this.lastDraw >= 200 || done >= this.total) this.draw(now);
    } else {
      // Not a terminal (a log file, CI): a line every 10 % and at least every 15 seconds.
      const decile = Math.floor((10 * done) / Math.max(1, this.total));
      if (decile !== this.lastDecile || now - this.lastDraw >= 15_000) {
        this.lastDecile = decile;
        this.lastDraw = now;
        this.out.write(`${this.line(now)}\n`);
      }
    }
  }

  finish(): void {
    this.update(this.total);
    if (this.tty) this.out.write("\n");
  }

  line(now = Date.now()): string {
    const fraction = Math.min(1, this.done / Math.max(1, this.total));
    const filled = Math.round(fraction * WIDTH);
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? (this.done - this.initial) / elapsed : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    return (
      `${this.label} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ` +
      `${this.done.toLocaleString("en-US")}/${this.total.toLocaleString("en-US")} · ${Math.round(rate)}/s · ETA ${formatDuration(eta)}`
    );
  }

  private draw(now: number): void {
    this.lastDraw = now;
    this.out.write(`\r${this.line(now)}\x1b[K`);
  }
}
