/**
 * Cuts site buffers into batches (the intake role runs it on a short interval and after each intake job):
 * a full buffer is cut at once, a partial one when its window has passed. Each batch gets its activation
 * job; if this process dies between the cut and the job, reconcile re-adds the job for the `open` batch.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../adapters/metrics.js';
import type { Site } from '../domain/site.js';
import type { JobProducer } from '../redis/job-producer.js';
import type { SiteBufferStore } from '../redis/site-buffer-store.js';
import { newBatchId } from './batch-ids.js';

export interface BatchCutterDeps {
  readonly sites: ReadonlyMap<string, Site>;
  readonly buffers: Pick<SiteBufferStore, 'dueSites' | 'cut' | 'nextDueAt'>;
  readonly jobs: Pick<JobProducer, 'addActivation'>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly clock?: () => number;
}

/** one site can hold many full batches after a big request; cut them all, but let other sites go next */
const MAX_CUTS_PER_SITE = 50;
/** due sites read per pass: every one of them at any realistic number of sites (1,000 due sites: one pass, not ten) */
const MAX_DUE_SITES = 100_000;

export class BatchCutter {
  private readonly now: () => number;

  constructor(private readonly deps: BatchCutterDeps) {
    this.now = deps.clock ?? Date.now;
  }

  /**
   * How long until the next buffer falls due, for the loop to sleep exactly that long (a fixed interval adds up
   * to an interval to every batch's wait); undefined when none will (empty, or one still due after a pass: a
   * site no longer configured, a buffer with more than a pass cuts) — the loop's interval then.
   */
  async msUntilNextDue(): Promise<number | undefined> {
    const at = await this.deps.buffers.nextDueAt();
    if (at === null) return undefined;
    const wait = at - this.now();
    return wait > 0 ? wait : undefined;
  }

  /** Cuts every due or full buffer in one pass; returns the batch ids cut. */
  async cutDue(): Promise<string[]> {
    const cut: string[] = [];
    const due = await this.deps.buffers.dueSites(this.now(), MAX_DUE_SITES);
    for (const siteId of due) {
      const site = this.deps.sites.get(siteId);
      if (!site) continue; // a site no longer configured: its buffer waits for a person (visible via status)
      for (let i = 0; i < MAX_CUTS_PER_SITE; i++) {
        const now = this.now();
        const batchId = newBatchId(siteId, now);
        const size = await this.deps.buffers.cut(
          { siteId, batchId, region: site.region, maxBatchSize: site.maxBatchSize, batchWindowMs: site.batchWindowMs },
          now,
        );
        if (size === 0) break;
        this.deps.metrics.batchesCut.inc();
        this.deps.logger.info({ batchId, siteId, size }, 'batch cut');
        await this.deps.jobs.addActivation(batchId);
        cut.push(batchId);
      }
    }
    return cut;
  }
}
