/**
 * A site removed from the sites file between a device's 202 and its intake job: the API of one orchestrator
 * accepts devices for sites A and B, an intake worker started with a sites file that no longer has B takes
 * the job. Every device keeps a record: B's end `failed` with a reason naming the site and what to do.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import type { Config } from '../../../src/config.js';
import type { OnboardingEvent } from '../../../src/domain/onboarding-event.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';
import { DeviceStore } from '../../../src/redis/device-store.js';
import { Keys } from '../../../src/redis/keys.js';
import { RedisScripts } from '../../../src/redis/redis-scripts.js';
import { Redis } from 'ioredis';
import { LogCapture } from './support/log-capture.js';
import { testConfig } from './support/test-config.js';

function events(siteId: string, n: number): OnboardingEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const deviceId = `${siteId}-SN-${i}`;
    return { deviceId, siteId, thingName: `edge-${deviceId}`, attributes: { model: 'X1' }, reenroll: false };
  });
}

async function waitFor(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('intake: a site removed from the sites file after the 202', () => {
  const before = testConfig({ sites: [{ id: 'rm-keep', maxBatchSize: 100 }, { id: 'rm-gone', maxBatchSize: 100 }], batchWindowMs: 60_000 });
  const after: Config = Object.freeze({
    ...before,
    sites: { ...before.sites, sites: new Map([...before.sites.sites].filter(([id]) => id !== 'rm-gone')) },
  });
  const apps: App[] = [];
  const logs = new LogCapture();

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await deleteMatching(before.redisUrl, new Keys(before.keyPrefix).everything);
  });

  it('fails the removed site\'s devices with a reason, buffers the others, and loses none', async () => {
    const api = await createApp(before, { roles: [], logger: createLogger('warn', logs) });
    apps.push(api);
    await api.start();
    const kept = events('rm-keep', 3);
    const gone = events('rm-gone', 4);
    expect(await api.services.enroll([...kept, ...gone])).toEqual({ accepted: 7, duplicates: 0 });

    const intake = await createApp(after, { roles: ['intake'], logger: createLogger('warn', logs) });
    apps.push(intake);
    await intake.start();

    await waitFor(async () => (await api.services.device(gone[3]!.deviceId))?.state === 'failed', 20_000, 'removed-site devices not failed');
    for (const e of gone) {
      const view = await api.services.device(e.deviceId);
      expect(view).toMatchObject({ state: 'failed', siteId: 'rm-gone' });
      const error = JSON.stringify(view);
      expect(error).toContain('site \\"rm-gone\\" was removed from the sites file');
      expect(error).toContain('fleet-enroll retry --site rm-gone');
    }
    for (const e of kept) expect(await api.services.device(e.deviceId)).toMatchObject({ state: 'accepted', siteId: 'rm-keep' });
    // the removed site's counts stay exact: an operator who adds it back finds and re-drives them
    expect((await api.services.site('rm-gone'))?.counts).toMatchObject({ failed: 4, accepted: 0 });
    expect((await api.services.site('rm-keep'))?.counts).toMatchObject({ accepted: 3, failed: 0 });

    // re-driven after the site is back: the failed devices go into its buffer again
    expect(await api.services.retrySite('rm-gone')).toEqual({ batches: 0, devices: 4 });
    expect((await api.services.site('rm-gone'))?.counts).toMatchObject({ failed: 0, accepted: 4 });
  });

  it('is idempotent for a retried job and leaves a device in flight at another site alone', async () => {
    const redis = new Redis(before.redisUrl);
    try {
      const keys = new Keys(before.keyPrefix);
      const devices = new DeviceStore(redis, keys, new RedisScripts(redis));
      // a thing name of its own: the first test's rm-keep devices hold the generated ones
      const busy = events('rm-keep', 1).map((e) => ({ ...e, deviceId: 'rm-busy', thingName: 'rm-busy' }));
      await devices.intake('job-a', busy, () => ({ batchWindowMs: 60_000, maxBatchSize: 100 }), 1);
      const failed = [...events('rm-gone', 1).map((e) => ({ ...e, deviceId: 'rm-once' })), { ...busy[0]!, siteId: 'rm-gone' }];
      const input = failed.map((event) => ({ event, reason: 'gone' }));
      expect(await devices.failForRemovedSite('job-b', input, 2)).toEqual({ failed: 1, duplicates: 1 });
      expect(await devices.failForRemovedSite('job-b', input, 3)).toEqual({ failed: 1, duplicates: 1 });
      expect(await devices.get('rm-once')).toMatchObject({ state: 'failed', error: 'gone', siteId: 'rm-gone' });
      expect(await devices.get('rm-busy')).toMatchObject({ state: 'accepted', siteId: 'rm-keep' });
      expect(await devices.counts('rm-gone')).toMatchObject({ failed: 1, accepted: 4 });
    } finally {
      await redis.quit();
    }
  });
});
