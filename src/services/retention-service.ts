/**
 * Retention: finished device records (registered, failed) and finished batches (completed, expired,
 * failed) are deleted once they are older than the retention, a bounded chunk per pass so Redis stays
 * responsive. Site counts are of the records held; what expired is counted apart (`expired`). Every
 * deletion is checked inside its script, so passes from several processes at once are harmless.
 */
import type { Logger } from 'pino';
import type { RetentionStore } from '../redis/retention-store.js';

/** records per script call: a few milliseconds of Redis time */
const CHUNK = 500;
/** calls per site per pass, at most (the rest waits for the next pass) */
const CALLS_PER_PASS = 20;

export interface RetentionDeps {
  readonly siteIds: readonly string[];
  readonly retention: RetentionStore;
  readonly retentionMs: number;
  readonly logger: Logger;
  readonly clock?: () => number;
}

export class RetentionService {
  private readonly now: () => number;

  constructor(private readonly deps: RetentionDeps) {
    this.now = deps.clock ?? Date.now;
  }

  /** One pass; returns the device and batch records deleted. */
  async sweep(): Promise<{ devices: number; batches: number }> {
    const cutoff = this.now() - this.deps.retentionMs;
    let devices = 0;
    for (const siteId of this.deps.siteIds) {
      for (let call = 0; call < CALLS_PER_PASS; call++) {
        const r = await this.deps.retention.sweepDevices(siteId, cutoff, CHUNK);
        devices += r.deleted;
        if (r.lookedAt < CHUNK) break;
      }
    }
    let batches = 0;
    for (let call = 0; call < CALLS_PER_PASS; call++) {
      const n = await this.deps.retention.sweepBatches(cutoff, CHUNK);
      batches += n;
      if (n < CHUNK) break;
    }
    if (devices + batches > 0) this.deps.logger.debug({ devices, batches }, 'retention: finished records deleted');
    return { devices, batches };
  }
}
