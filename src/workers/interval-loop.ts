/**
 * Runs an async pass every `intervalMs` (never two at once); `wake()` runs the next pass at once.
 * `stop()` resolves after the pass in progress, so nothing is cut off halfway.
 */
export class IntervalLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;

  constructor(
    private readonly intervalMs: number,
    private readonly pass: () => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
    /** after a pass: run the next one sooner than the interval, in this many ms (undefined or a failure: the interval) */
    private readonly soonerInMs?: () => Promise<number | undefined>,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), ms);
  }

  private async nextWait(): Promise<number> {
    const sooner = await this.soonerInMs?.().catch(() => undefined);
    return sooner === undefined ? this.intervalMs : Math.max(1, Math.min(this.intervalMs, Math.ceil(sooner)));
  }

  private async run(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = this.pass()
      .then(() => undefined)
      .catch(this.onError);
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    const next = this.again ? 0 : await this.nextWait();
    this.again = false;
    if (this.stopped) return;
    this.schedule(next);
  }
}
