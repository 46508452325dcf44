/** BatchCutter with in-memory buffers and job producer: every due buffer in one pass. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/adapters/metrics.js';
import type { Site } from '../../../src/domain/site.js';
import type { CutInput } from '../../../src/redis/site-buffer-store.js';
import { BatchCutter } from '../../../src/services/batch-cutter.js';

/** The buffer contract: a due site is cut by up to maxBatchSize; a remainder smaller than that is not due again at once. */
class FakeBuffers {
  readonly buffered = new Map<string, number>();
  inFlight = 0;
  maxInFlight = 0;
  cuts = 0;
  async dueSites(_now: number, limit: number): Promise<string[]> {
    return [...this.buffered.keys()].filter((s) => this.buffered.get(s)! > 0).slice(0, limit);
  }
  async cut(input: CutInput, _now: number): Promise<number> {
    this.cuts++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setImmediate(r));
    this.inFlight--;
    const left = this.buffered.get(input.siteId) ?? 0;
    // first cut of a due site takes what is there (up to max); after that only full batches
    const size = left >= input.maxBatchSize ? input.maxBatchSize : this.cutOnce.has(input.siteId) ? 0 : left;
    this.cutOnce.add(input.siteId);
    this.buffered.set(input.siteId, left - size);
    return size;
  }
  private readonly cutOnce = new Set<string>();
  nextDue: number | null = null;
  async nextDueAt(): Promise<number | null> {
    return this.nextDue;
  }
}

const site = (id: string, maxBatchSize: number): Site => ({ id, region: 'us-east-1', maxBatchSize, batchWindowMs: 1000 }) as Site;

describe('BatchCutter', () => {
  it('cuts every due buffer in one pass, however many sites are due, and every full batch of a site', async () => {
    const buffers = new FakeBuffers();
    for (let i = 0; i < 200; i++) buffers.buffered.set(`s${i}`, 30);
    buffers.buffered.set('big', 250);
    buffers.buffered.set('unknown', 5);
    const jobs: string[] = [];
    const sites = new Map<string, Site>([...Array.from({ length: 200 }, (_, i) => [`s${i}`, site(`s${i}`, 100)] as const), ['big', site('big', 100)]]);
    const cutter = new BatchCutter({
      sites,
      buffers: buffers as never,
      jobs: { addActivation: async (id: string) => void jobs.push(id) },
      metrics: new Metrics(),
      logger: pino({ level: 'silent' }),
      clock: () => 5_000,
    });
    const cut = await cutter.cutDue();
    // 200 sites × 1 batch + big: 100 and 100 in the same pass; its remainder of 50 waits for its window
    expect(cut.length).toBe(202);
    expect(new Set(cut).size).toBe(202);
    expect([...buffers.buffered.entries()].filter(([s, n]) => s !== 'unknown' && n > 0)).toEqual([['big', 50]]);
    // the unconfigured site's buffer waits for a person
    expect(buffers.buffered.get('unknown')).toBe(5);
    // one cut script at a time (Redis stays responsive); one activation job per batch cut
    expect(buffers.maxInFlight).toBe(1);
    expect(jobs.sort()).toEqual([...cut].sort());
  });

  it('a pass with nothing due adds no job', async () => {
    const buffers = new FakeBuffers();
    const jobs: string[] = [];
    const cutter = new BatchCutter({
      sites: new Map([['a', site('a', 10)]]),
      buffers: buffers as never,
      jobs: { addActivation: async (id: string) => void jobs.push(id) },
      metrics: new Metrics(),
      logger: pino({ level: 'silent' }),
    });
    expect(await cutter.cutDue()).toEqual([]);
    expect(jobs).toEqual([]);
  });

  it('cuts at most 50 batches of one site per pass; the rest are cut in the next', async () => {
    const buffers = new FakeBuffers();
    buffers.buffered.set('huge', 60 * 10);
    const cutter = new BatchCutter({
      sites: new Map([['huge', site('huge', 10)]]),
      buffers: buffers as never,
      jobs: { addActivation: async () => undefined },
      metrics: new Metrics(),
      logger: pino({ level: 'silent' }),
      clock: () => 5_000,
    });
    expect(await cutter.cutDue()).toHaveLength(50);
    expect(buffers.buffered.get('huge')).toBe(100);
    expect(await cutter.cutDue()).toHaveLength(10);
  });

  it('tells the loop how long until the earliest buffer falls due, and nothing when none will or one is overdue', async () => {
    const buffers = new FakeBuffers();
    const cutter = new BatchCutter({ sites: new Map(), buffers: buffers as never, jobs: { addActivation: async () => undefined }, metrics: new Metrics(), logger: pino({ level: 'silent' }), clock: () => 5_000 });
    expect(await cutter.msUntilNextDue()).toBeUndefined();
    buffers.nextDue = 5_430;
    expect(await cutter.msUntilNextDue()).toBe(430);
    // still due after a pass (a site no longer configured, more than a pass cuts): the loop's interval, no spin
    buffers.nextDue = 4_000;
    expect(await cutter.msUntilNextDue()).toBeUndefined();
    buffers.nextDue = 5_000;
    expect(await cutter.msUntilNextDue()).toBeUndefined();
  });
});
