/**
 * Labelled progress bars on one output stream. On a terminal they are redrawn in place (cursor up, clear
 * line), at most every `ttyIntervalMs`; anywhere else (a CI log, a pipe) one plain line with every bar is
 * written at most every `plainIntervalMs`, so logs stay readable. Nothing is timer-driven: drawing happens
 * on updates (and on finish), so a stalled job does not keep a process alive.
 */
export interface ProgressStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressBarsOptions {
  readonly stream: ProgressStream;
  /** default: stream.isTTY */
  readonly tty?: boolean;
  readonly ttyIntervalMs?: number;
  readonly plainIntervalMs?: number;
  /** width of the bar itself in characters (default 30) */
  readonly barWidth?: number;
  readonly now?: () => number;
}

export class ProgressBar {
  private current = 0;
  private note: string | undefined;

  constructor(
    private readonly owner: ProgressBars,
    readonly label: string,
    private max: number,
  ) {}

  get value(): number {
    return this.current;
  }

  get total(): number {
    return this.max;
  }

  /** `note` replaces the default `value/total` text (e.g. "40,000 rows sent" when the total is bytes). */
  update(value: number, note?: string): void {
    this.current = value;
    this.note = note;
    this.owner.changed();
  }

  increment(by = 1): void {
    this.update(this.current + by, this.note);
  }

  setTotal(total: number): void {
    this.max = total;
    this.owner.changed();
  }

  fraction(): number {
    return this.max > 0 ? Math.min(1, Math.max(0, this.current / this.max)) : 0;
  }

  describe(): string {
    return this.note ?? `${this.current.toLocaleString('en-US')}/${this.max.toLocaleString('en-US')}`;
  }
}

export class ProgressBars {
  private readonly bars: ProgressBar[] = [];
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly interval: number;
  private readonly barWidth: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawnLines = 0;

  constructor(private readonly options: ProgressBarsOptions) {
    this.tty = options.tty ?? options.stream.isTTY === true;
    this.now = options.now ?? Date.now;
    this.interval = this.tty ? (options.ttyIntervalMs ?? 100) : (options.plainIntervalMs ?? 3000);
    this.barWidth = options.barWidth ?? 30;
  }

  add(label: string, total: number): ProgressBar {
    const bar = new ProgressBar(this, label, total);
    this.bars.push(bar);
    return bar;
  }

  /** Called by bars on every change; draws only when the interval has passed. */
  changed(): void {
    if (this.now() - this.lastDraw >= this.interval) this.draw();
  }

  /** Writes a line of text above the bars (on a terminal the bars are drawn again below it). */
  log(text: string): void {
    if (!this.tty || this.drawnLines === 0) {
      this.options.stream.write(text.endsWith('\n') ? text : `${text}\n`);
      return;
    }
    // move to the first bar line, clear everything below, write the text, then the bars afresh
    this.options.stream.write(`\x1b[${this.drawnLines}A\r\x1b[0J${text.endsWith('\n') ? text : `${text}\n`}`);
    this.drawnLines = 0;
    this.draw();
  }

  /** Draws the final state once more, whatever the interval. */
  finish(): void {
    this.draw();
  }

  private draw(): void {
    this.lastDraw = this.now();
    if (this.bars.length === 0) return;
    if (!this.tty) {
      this.options.stream.write(this.bars.map((b) => `${b.label} ${b.describe()} (${percent(b)})`).join(' · ') + '\n');
      return;
    }
    const labelWidth = Math.max(...this.bars.map((b) => b.label.length));
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    const lines = this.bars.map((b) => {
      const filled = Math.round(b.fraction() * this.barWidth);
      const bar = '█'.repeat(filled) + '░'.repeat(this.barWidth - filled);
      return `\r\x1b[2K${b.label.padEnd(labelWidth)}  ${bar} ${percent(b).padStart(4)}  ${b.describe()}`;
    });
    this.options.stream.write(up + lines.join('\n') + '\n');
    this.drawnLines = this.bars.length;
  }
}

function percent(bar: ProgressBar): string {
  return `${Math.floor(bar.fraction() * 100)}%`;
}
