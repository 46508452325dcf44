/**
 * The listing index on a real Redis, through the real transition scripts: a walk lists every device once
 * in enrollment order, the failed-state walk pages through the site's failed devices only, a device that
 * moved to another site leaves the old site's listing, and batches are listed in the order they were cut.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { OnboardingEvent } from '../../../src/domain/onboarding-event.js';
import { BatchStore } from '../../../src/redis/batch-store.js';
import { DeviceStore } from '../../../src/redis/device-store.js';
import { Keys } from '../../../src/redis/keys.js';
import { ListingStore, type ListedKind } from '../../../src/redis/listing-store.js';
import { RedisScripts } from '../../../src/redis/redis-scripts.js';
import { SiteBufferStore } from '../../../src/redis/site-buffer-store.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';
import { REDIS_URL } from './support/test-config.js';

const POLICY = { batchWindowMs: 1_000, maxBatchSize: 1_000 };

function events(site: string, n: number, from = 0, reenroll = false): OnboardingEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const deviceId = `dev-${String(from + i).padStart(5, '0')}`;
    return { deviceId, siteId: site, thingName: deviceId, attributes: {}, reenroll };
  });
}

describe('ListingStore on Redis', () => {
  const redis = new Redis(REDIS_URL);
  const keys = new Keys(`fleet-listing-${randomBytes(4).toString('hex')}`);
  const scripts = new RedisScripts(redis);
  const devices = new DeviceStore(redis, keys, scripts);
  const batches = new BatchStore(redis, keys, scripts);
  const buffers = new SiteBufferStore(redis, keys, scripts);
  const listing = new ListingStore(keys, scripts);

  afterAll(async () => {
    await deleteMatching(REDIS_URL, keys.everything);
    await redis.quit();
  });

  async function walk(kind: ListedKind, siteId: string, state: string, limit: number, budget: number): Promise<string[]> {
    const ids: string[] = [];
    let after = '';
    for (let i = 0; i < 1_000; i++) {
      const page = await listing.page({ kind, siteId, after, state, limit, budget });
      ids.push(...page.ids);
      if (page.last !== '') after = page.last;
      if (page.done) return ids;
    }
    throw new Error('the walk did not end');
  }

  it('lists each device once in enrollment order; failed ones through their own set; moved ones leave', async () => {
    const t = 5_000_000;
    await devices.intake('j1', events('s', 60), () => POLICY, t);
    const cut = (batchId: string, max: number) => buffers.cut({ siteId: 's', batchId, region: 'us-east-1', maxBatchSize: max, batchWindowMs: 1_000 }, t + 10_000);
    expect(await cut('b-1', 25)).toBe(25);
    expect(await cut('b-2', 25)).toBe(25);
    expect(await batches.fail('b-1', 'InvalidParameters: no such role', t + 11_000)).toBe(25);
    await devices.intake('j2', events('s', 20, 60), () => POLICY, t + 12_000);
    // dev-00059 moves to site r (re-enrolled there): it leaves s's listing
    await devices.intake('j3', [{ ...events('r', 1, 59, true)[0]!, moveFrom: 's' }], () => POLICY, t + 13_000);

    const all = events('s', 80).map((e) => e.deviceId).filter((id) => id !== 'dev-00059');
    expect(await walk('device', 's', '', 7, 5)).toEqual(all);
    expect(await walk('device', 's', '', 1_000, 5_000)).toEqual(all);
    expect(await walk('device', 's', 'failed', 4, 3)).toEqual(all.slice(0, 25));
    expect(await walk('device', 's', 'batched', 10, 5_000)).toEqual(all.slice(25, 50));
    expect(await walk('device', 'r', '', 10, 10)).toEqual(['dev-00059']);
    expect(await walk('batch', 's', '', 1, 1)).toEqual(['b-1', 'b-2']);
    expect(await walk('batch', 's', 'failed', 5, 5)).toEqual(['b-1']);
  });
});
