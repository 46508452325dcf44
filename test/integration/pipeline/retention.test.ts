/**
 * Retention with a short FLEET_RETENTION_DAYS (5 s here): registered and failed devices and finished
 * batches are deleted once that old, the site counts stay exact (records held + `expired`, ever), and the
 * Redis memory of the run's prefix goes back to its baseline: a second run of the same size leaves
 * nothing behind either.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.js';

const RETENTION_MS = 5_000;
const OK_SITE = 'plant-keep';
const BAD_SITE = 'plant-fail';
const N = 300;
const BAD = 60;

/** MEMORY USAGE of every key of the prefix (not the shared server's total) and the keys by kind. */
async function prefixMemory(redis: Redis, pattern: string): Promise<{ bytes: number; kinds: Record<string, number> }> {
  let cursor = '0';
  let bytes = 0;
  const kinds: Record<string, number> = {};
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      bytes += Number((await redis.memory('USAGE', key)) ?? 0);
      const kind = key.split(':')[1] ?? key;
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  } while (cursor !== '0');
  return { bytes, kinds };
}

describe('retention of finished records', () => {
  let h: PipelineHarness;

  beforeAll(async () => {
    h = await PipelineHarness.start({
      sites: [
        { id: OK_SITE, maxBatchSize: 100 },
        { id: BAD_SITE, maxBatchSize: 30 },
      ],
      batchWindowMs: 100,
      maxAttempts: 1,
      retentionMs: RETENTION_MS,
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** One run: N devices registered at one site, BAD devices failed at the other (CreateActivation errors). */
  async function run(tag: string, runs: number): Promise<void> {
    h.emulator.setFaults({ 'ssm.CreateActivation': { error: 1 } });
    await h.enroll(h.events(BAD_SITE, BAD, `${tag}-bad`));
    await h.waitFor(async () => (await finished(BAD_SITE, 'failed')) === BAD * runs, 60_000, () => h.describeCounts([BAD_SITE]));
    h.emulator.setFaults({});
    await h.enroll(h.events(OK_SITE, N, `${tag}-ok`));
    await h.waitFor(async () => (await finished(OK_SITE, 'registered')) === N * runs, 90_000, () => h.describeCounts([OK_SITE]));
  }

  /** devices of the site that ended in `state`, held or already expired */
  async function finished(siteId: string, state: 'registered' | 'failed'): Promise<number> {
    const site = (await h.app.listings.overview([siteId])).sites[0]!;
    return site.counts[state] + site.expired[state];
  }

  async function swept(): Promise<void> {
    await h.waitFor(
      async () => {
        const [ok, bad] = [await h.counts(OK_SITE), await h.counts(BAD_SITE)];
        return ok.registered === 0 && bad.failed === 0;
      },
      RETENTION_MS + 15_000,
      () => h.describeCounts([OK_SITE, BAD_SITE]),
    );
  }

  it('deletes finished records after the retention; counts stay exact; memory returns to its baseline', async () => {
    const base = await prefixMemory(h.redis, h.keys.everything);

    await run('r1', 1);
    const full = await prefixMemory(h.redis, h.keys.everything);
    // records are held until they are as old as the retention (the first ones may be gone already)
    const held = full.kinds.dev ?? 0;
    expect(held).toBeGreaterThan(0);
    const listed = (await h.app.listings.devices({ siteIds: [OK_SITE, BAD_SITE], limit: 1000 })).items.length;
    const early = await h.app.listings.overview([OK_SITE, BAD_SITE]);
    expect(listed + early.sites[0]!.expired.registered + early.sites[1]!.expired.failed).toBe(N + BAD);

    await swept();
    await h.waitFor(async () => ((await prefixMemory(h.redis, h.keys.everything)).kinds.batch ?? 0) === 0, 15_000, () => 'batches left');
    const after1 = await prefixMemory(h.redis, h.keys.everything);
    // counts: none held any more, each one counted as expired, in its final state
    const overview = await h.app.listings.overview([OK_SITE, BAD_SITE]);
    const [ok, bad] = overview.sites;
    expect(ok!.counts).toMatchObject({ registered: 0, failed: 0, accepted: 0, acked: 0 });
    expect(ok!.expired).toEqual({ registered: N, failed: 0 });
    expect(bad!.counts.failed).toBe(0);
    expect(bad!.expired).toEqual({ registered: 0, failed: BAD });
    // no record, index entry, failed-set member or batch device list is left
    for (const kind of ['dev', 'batch', 'bdev', 'idx', 'bidx', 'fin', 'failed', 'hist', 'things', 'nodes', 'back', 'tagq']) expect(after1.kinds[kind], kind).toBeUndefined();
    expect(await h.app.services.device(`r1-ok-SN-000000`)).toBeNull();
    expect((await h.app.listings.devices({ siteIds: [OK_SITE, BAD_SITE], limit: 1000 })).items).toEqual([]);
    expect((await h.app.listings.batches({ siteIds: [OK_SITE, BAD_SITE], limit: 1000 })).items).toEqual([]);

    // the same again: nothing accumulates from run to run
    await run('r2', 2);
    await swept();
    await h.waitFor(async () => ((await prefixMemory(h.redis, h.keys.everything)).kinds.batch ?? 0) === 0, 15_000, () => 'batches left');
    const after2 = await prefixMemory(h.redis, h.keys.everything);
    const overview2 = await h.app.listings.overview([OK_SITE, BAD_SITE]);
    expect(overview2.sites[0]!.expired.registered).toBe(2 * N);
    expect(overview2.sites[1]!.expired.failed).toBe(2 * BAD);

    const perDevice = (full.bytes - base.bytes) / held;
    // what stays is per site or per process (counts, sequence, queues' bookkeeping, rate buckets), never per device
    expect(perDevice).toBeGreaterThan(100);
    expect(Object.keys(after2.kinds).sort()).toEqual(expect.arrayContaining(['cnt', 'xcnt']));
    for (const kind of Object.keys(after2.kinds)) expect(['cnt', 'xcnt', 'seq', 'q', 'quota', 'rl', 'lease', 'due', 'tagn'], kind).toContain(kind);
    // the baseline once the queues exist: a second run of 360 devices leaves less than 5 devices' worth
    expect(Math.abs(after2.bytes - after1.bytes)).toBeLessThan(perDevice * 5);
    console.info(
      `retention: baseline ${base.bytes} B, ${held} devices held ${full.bytes} B (${perDevice.toFixed(0)} B/device), ` +
        `after sweep ${after1.bytes} B, after a second run ${after2.bytes} B; keys left ${JSON.stringify(after2.kinds)}`,
    );
  });
});
