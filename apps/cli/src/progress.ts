/**
 * A progress bar on stderr: redrawn in place at a terminal (at most ten times a second),
 * one line per tenth of the way otherwise, so that logs stay short.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastTenth = -1;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number, unit: string): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const now = Date.now();
    const seconds = (now - this.started) / 1000;
    const eta = fraction > 0 && fraction < 1 ? ` eta ${Math.ceil((seconds / fraction) * (1 - fraction))} s` : '';
    const text = `${this.label} ${bar(fraction)} ${Math.floor(fraction * 100)
      .toString()
      .padStart(3)}% ${done}/${total} ${unit} ${seconds.toFixed(1)} s${eta}`;
    if (this.stream.isTTY) {
      if (fraction < 1 && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.stream.write(`\r${text}\x1b[K`);
      this.drawn = true;
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth === this.lastTenth) return;
    this.lastTenth = tenth;
    this.stream.write(`${text}\n`);
  }

  /** Ends the line drawn in place. */
  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

function bar(fraction: number, width = 30): string {
  const full = Math.round(fraction * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}
