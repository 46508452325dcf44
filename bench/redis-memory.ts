/**
 * Redis memory per device record: INFO memory `used_memory` sampled during a run, minus what Redis held before
 * it, divided by the device records in Redis at that moment — the sum of every site's state counts
 * (`cnt:<site>`: accepted … registered, failed; a record leaves them only when retention removes it), read in
 * the same MULTI as INFO so that both describe one instant. Every device record counts, in flight or done
 * (a registered device keeps its hash: it is the record), and so does everything else the run keeps (batches,
 * queues, buffers) in the numerator.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../src/redis/keys.js';

export interface MemorySample {
  readonly at: number;
  readonly usedBytes: number;
  /** device records in Redis (every site's state counts summed) */
  readonly records: number;
  /** answered 202 so far (some may still wait in the intake queue, not yet records), and of those not yet registered or failed */
  readonly accepted: number;
  readonly inFlight: number;
}

export interface PerRecord {
  readonly bytesPerDevice: number;
  readonly usedBytes: number;
  readonly records: number;
  readonly accepted: number;
  readonly inFlight: number;
}

export async function usedMemory(redis: Redis): Promise<number> {
  return parseUsedMemory(await redis.info('memory'));
}

const parseUsedMemory = (info: string): number => Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);

const perRecord = (s: MemorySample, baselineBytes: number): PerRecord => ({
  bytesPerDevice: Math.round((s.usedBytes - baselineBytes) / s.records),
  usedBytes: s.usedBytes,
  records: s.records,
  accepted: s.accepted,
  inFlight: s.inFlight,
});

/** at the sample with the highest used_memory (ties: the later one) */
export function atPeakMemory(samples: readonly MemorySample[], baselineBytes: number): PerRecord | undefined {
  let peak: MemorySample | undefined;
  for (const s of samples) if (s.records > 0 && (!peak || s.usedBytes >= peak.usedBytes)) peak = s;
  return peak && perRecord(peak, baselineBytes);
}

/**
 * The highest bytes per record over samples holding at least `minRecords` records: below that, the run's
 * fixed keys (queues, scripts' state) divided by a few devices say nothing about a device's share.
 */
export function worstPerRecord(samples: readonly MemorySample[], baselineBytes: number, minRecords: number): PerRecord | undefined {
  let worst: PerRecord | undefined;
  for (const s of samples) {
    if (s.records < Math.max(1, minRecords)) continue;
    const r = perRecord(s, baselineBytes);
    if (!worst || r.bytesPerDevice > worst.bytesPerDevice) worst = r;
  }
  return worst;
}

export class RedisMemorySampler {
  readonly samples: MemorySample[] = [];
  private busy = false;
  private counted: { keys: Keys; siteIds: readonly string[] } | undefined;

  constructor(
    private readonly redis: Redis,
    readonly baselineBytes: number,
  ) {}

  static async start(redis: Redis): Promise<RedisMemorySampler> {
    return new RedisMemorySampler(redis, await usedMemory(redis));
  }

  /** the run's key layout and sites, known once it runs: whose state counts to sum */
  track(keys: Keys, siteIds: readonly string[]): void {
    this.counted = { keys, siteIds };
  }

  /** called with progress; skips a sample while the previous one is still on its way */
  sample(accepted: number, inFlight: number): void {
    const counted = this.counted;
    if (this.busy || !counted) return;
    this.busy = true;
    const multi = this.redis.multi().info('memory');
    for (const id of counted.siteIds) multi.hvals(counted.keys.counts(id));
    multi
      .exec()
      .then((replies) => {
        if (!replies) return;
        const [memory, ...counts] = replies;
        const info = String(memory?.[1] ?? '');
        const records = counts.reduce((n, [, vals]) => n + (vals as string[]).reduce((a, v) => a + Number(v), 0), 0);
        if (records > 0) this.samples.push({ at: Date.now(), usedBytes: parseUsedMemory(info), records, accepted, inFlight });
      })
      .catch(() => undefined)
      .finally(() => (this.busy = false));
  }

  get peakUsedBytes(): number {
    return Math.max(this.baselineBytes, ...this.samples.map((s) => s.usedBytes));
  }
}
