/**
 * Watches the emulator's live activations throughout a run (GET /emulator/state, every `everyMs`):
 * the most unexpired activations one DefaultInstanceName (= one batch) had at once. Invariant 2 (docs/CONTRACT.md)
 * says that is never more than one.
 */
import type { EmulatorState } from '../../../src/emulator/index.js';

export class LiveActivationSampler {
  /** DefaultInstanceName → most live activations seen at once */
  readonly maxLive = new Map<string, number>();
  samples = 0;
  failedSamples = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly state: () => Promise<EmulatorState>,
    private readonly everyMs = 100,
  ) {}

  start(): void {
    this.running = true;
    const loop = (): void => {
      this.timer = setTimeout(() => {
        this.sample().finally(() => {
          if (this.running) loop();
        });
      }, this.everyMs);
    };
    loop();
  }

  async sample(): Promise<void> {
    try {
      const live = new Map<string, number>();
      for (const a of (await this.state()).activations.list) {
        if (!a.expired) live.set(a.defaultInstanceName, (live.get(a.defaultInstanceName) ?? 0) + 1);
      }
      for (const [name, n] of live) this.maxLive.set(name, Math.max(n, this.maxLive.get(name) ?? 0));
      this.samples++;
    } catch {
      this.failedSamples++;
    }
  }

  /** batches (by DefaultInstanceName) that had two or more live activations at once */
  get violations(): [string, number][] {
    return [...this.maxLive].filter(([, n]) => n > 1);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }
}
