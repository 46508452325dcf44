/**
 * At most `limit` tasks at once; the rest wait in FIFO order. The waiting list is an array with a moving
 * head (not shift()), so a million queued registrations stay O(1) each.
 */
export class ConcurrencyGate {
  private running = 0;
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('concurrency limit must be a positive integer');
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private release(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head];
      this.waiting[this.head++] = noop; // drop the reference; the slot is reclaimed on compaction
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      next?.(); // the slot passes straight to the next task: `running` is unchanged
    } else {
      this.running--;
    }
  }
}

function noop(): void {}
