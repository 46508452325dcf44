/**
 * Redis memory per device in flight: INFO memory `used_memory` sampled during a run, minus what Redis held
 * before it, divided by the devices in flight at that moment (accepted, not yet registered or failed).
 * The figure reported is the one at the sample with the most devices in flight (fixed overheads such as
 * queue keys weigh least there).
 */
import type { Redis } from 'ioredis';

export interface MemorySample {
  readonly at: number;
  readonly usedBytes: number;
  readonly inFlight: number;
  /** devices accepted so far: in flight, or done (a registered device's hash stays: it is the record) */
  readonly held: number;
}

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

export class RedisMemorySampler {
  readonly samples: MemorySample[] = [];
  private busy = false;

  constructor(
    private readonly redis: Redis,
    readonly baselineBytes: number,
  ) {}

  static async start(redis: Redis): Promise<RedisMemorySampler> {
    return new RedisMemorySampler(redis, await usedMemory(redis));
  }

  /** called with progress; skips a sample while the previous one is still on its way */
  sample(inFlight: number, held: number): void {
    if (this.busy || held <= 0) return;
    this.busy = true;
    usedMemory(this.redis)
      .then((usedBytes) => this.samples.push({ at: Date.now(), usedBytes, inFlight, held }))
      .catch(() => undefined)
      .finally(() => (this.busy = false));
  }

  /** bytes per device in flight at the sample with the most in flight */
  get atPeak(): { bytesPerDevice: number; inFlight: number; usedBytes: number } | undefined {
    const peak = this.samples.reduce<MemorySample | undefined>((best, s) => (!best || s.inFlight > best.inFlight ? s : best), undefined);
    if (!peak || peak.inFlight === 0) return undefined;
    return { bytesPerDevice: Math.round((peak.usedBytes - this.baselineBytes) / peak.inFlight), inFlight: peak.inFlight, usedBytes: peak.usedBytes };
  }

  /**
   * The highest bytes per device held (accepted so far: in flight or done, since a registered device keeps its
   * hash as the record) over samples with at least `minHeld` devices: an upper bound on a device's share that
   * counts batches, queues and buffers too, at every stage of the run.
   */
  worstPerHeld(minHeld: number): { bytesPerDevice: number; held: number; inFlight: number } | undefined {
    let worst: { bytesPerDevice: number; held: number; inFlight: number } | undefined;
    for (const s of this.samples) {
      if (s.held < minHeld) continue;
      const bytesPerDevice = Math.round((s.usedBytes - this.baselineBytes) / s.held);
      if (!worst || bytesPerDevice > worst.bytesPerDevice) worst = { bytesPerDevice, held: s.held, inFlight: s.inFlight };
    }
    return worst;
  }

  get peakUsedBytes(): number {
    return Math.max(this.baselineBytes, ...this.samples.map((s) => s.usedBytes));
  }
}
