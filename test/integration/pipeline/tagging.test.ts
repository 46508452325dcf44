/**
 * Node tagging is its own stage (role `tag`): the tag queue's scripts on a real Redis, and the pipeline (emulator
 * over HTTP, Mosquitto, real Redis) with AddTagsToResource throttled to zero — every device registers all the
 * same, and every node is tagged once AWS lets tags through again; with FLEET_NODE_TAGS=none nothing is tagged.
 */
import { randomBytes } from 'node:crypto';
import { ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { OnboardingEvent } from '../../../src/domain/onboarding-event.js';
import { BatchStore } from '../../../src/redis/batch-store.js';
import { DeviceStore } from '../../../src/redis/device-store.js';
import { Keys } from '../../../src/redis/keys.js';
import { RedisScripts } from '../../../src/redis/redis-scripts.js';
import { SiteBufferStore } from '../../../src/redis/site-buffer-store.js';
import { TagStore } from '../../../src/redis/tag-store.js';
import { PipelineHarness } from './support/pipeline-harness.js';
import { REDIS_URL } from './support/test-config.js';

const POLICY = { batchWindowMs: 1_000, maxBatchSize: 1_000 };
const AID = '11111111-2222-3333-4444-555555555555';

function events(site: string, n: number, reenroll = false): OnboardingEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const deviceId = `${site}:SN-${i}`;
    return { deviceId, siteId: site, thingName: `edge-${i}`, attributes: {}, reenroll };
  });
}

describe('tag queue scripts (real Redis)', () => {
  const redis = new Redis(REDIS_URL);
  const keys = new Keys(`fleet-tag-${randomBytes(4).toString('hex')}`);
  const scripts = new RedisScripts(redis);
  const devices = new DeviceStore(redis, keys, scripts);
  const batches = new BatchStore(redis, keys, scripts);
  const buffers = new SiteBufferStore(redis, keys, scripts);
  const tags = new TagStore(redis, keys, scripts);
  afterAll(async () => {
    const found = await redis.keys(keys.everything);
    if (found.length > 0) await redis.del(...found);
    await redis.quit();
  });

  let nodesGiven = 0;
  /** n devices of `site` acked in batch `b`, each with a node of its own (a node is claimed by one device only) */
  async function acked(site: string, b: string, n: number, t: number): Promise<string[]> {
    await devices.intake(`job-${b}`, events(site, n, true), () => POLICY, t);
    await buffers.cut({ siteId: site, batchId: b, region: 'eu-west-1', maxBatchSize: 1000, batchWindowMs: 1000 }, t + 1000);
    await batches.beginAttempt(b, t);
    await batches.activated(b, { activationId: AID, sealedCode: 's', expiresAt: t + 60_000, nonce: 'n', attempt: 1 }, t);
    const ids = await batches.deviceIds(b);
    for (let i = 0; i < n; i++) {
      const ack = { batchId: b, index: i, deliveryId: `${b}.${i}.n`, activationId: AID, status: 'registered' as const, topic: undefined, error: '' };
      expect(await devices.ack({ ...ack, managedNodeId: `mi-${String(nodesGiven++).padStart(17, '0')}` }, t)).toBe('accepted');
    }
    return ids;
  }

  it('registered devices join the queue once (site backlog exact), claims lease them, finish records the tag time', async () => {
    const t = 1_000_000;
    const ids = await acked('ta', 'b-ta-1', 3, t);
    expect((await batches.ackedUnverified('b-ta-1')).sort()).toEqual([...ids].sort());
    // one id twice and one not acked in this batch: counted once / only dropped from the acks to verify
    expect(await devices.markRegistered('b-ta-1', [ids[0]!, ids[1]!, ids[1]!, 'nobody'], t + 5, true)).toBe(1);
    expect(await batches.ackedUnverified('b-ta-1')).toEqual([ids[2]]);
    expect(await tags.backlog('ta')).toBe(2);
    expect(await devices.get(ids[0]!)).toMatchObject({ state: 'registered', tagState: 'pending', taggedAt: null });

    const claimed = await tags.claim(t + 10, 30_000, 10);
    expect(claimed.map((c) => [c.deviceId, c.siteId, c.region, c.retries]).sort()).toEqual([
      [ids[0], 'ta', 'eu-west-1', 0],
      [ids[1], 'ta', 'eu-west-1', 0],
    ]);
    expect(claimed.map((c) => c.managedNodeId).sort()).toEqual(['mi-00000000000000000', 'mi-00000000000000001']);
    // leased: not claimable again until the lease runs out
    expect(await tags.claim(t + 20, 30_000, 10)).toEqual([]);
    expect((await tags.claim(t + 10 + 30_000, 30_000, 10)).length).toBe(2);

    const first = claimed.find((c) => c.deviceId === ids[0])!;
    const second = claimed.find((c) => c.deviceId === ids[1])!;
    expect(await tags.finish([first], 'tagged', t + 99)).toBe(1);
    expect(await tags.finish([first], 'tagged', t + 100)).toBe(0);
    expect(await devices.get(ids[0]!)).toMatchObject({ tagState: 'tagged', taggedAt: t + 99 });
    expect(await tags.backlog('ta')).toBe(1);

    expect(await tags.retryAt([{ task: second, dueAt: t + 500 }])).toBe(1);
    expect(await tags.claim(t + 499, 30_000, 10)).toEqual([]);
    const again = await tags.claim(t + 500, 30_000, 10);
    expect(again.map((c) => [c.deviceId, c.retries])).toEqual([[ids[1], 1]]);
    expect(await tags.finish(again, 'refused', t + 600)).toBe(1);
    expect(await devices.get(ids[1]!)).toMatchObject({ state: 'registered', tagState: 'refused', taggedAt: null });
    expect(await tags.backlog('ta')).toBe(0);
    expect(await tags.backlogTotal()).toBe(0);
  });

  it('a device re-enrolled before its node was tagged leaves the queue and the backlog', async () => {
    const t = 2_000_000;
    const ids = await acked('tb', 'b-tb-1', 2, t);
    await devices.markRegistered('b-tb-1', ids, t, true);
    expect(await tags.backlog('tb')).toBe(2);
    await devices.intake('job-re', [{ deviceId: ids[0]!, siteId: 'tb', thingName: 'edge-0', attributes: {}, reenroll: true }], () => POLICY, t + 1);
    const claimed = await tags.claim(t + 2, 30_000, 10);
    expect(claimed.map((c) => c.deviceId)).toEqual([ids[1]]);
    expect(await tags.backlog('tb')).toBe(1);
    expect(await tags.backlogTotal()).toBe(1);
  });

  it('with tagging off, registered devices never join the queue', async () => {
    const t = 3_000_000;
    const ids = await acked('tc', 'b-tc-1', 2, t);
    expect(await devices.markRegistered('b-tc-1', ids, t, false)).toBe(0);
    expect(await tags.backlog('tc')).toBe(0);
    // reconcile reads many batches in one pipelined call; a missing one is null
    const [found, missing] = await batches.getMany(['b-tc-1', 'b-none']);
    expect(found).toMatchObject({ batchId: 'b-tc-1', siteId: 'tc', state: 'active', registered: 2, left: 0 });
    expect(missing).toBeNull();
    expect(await devices.get(ids[0]!)).toMatchObject({ state: 'registered', tagState: null });
  });
});

describe('pipeline: tagging off the critical path', () => {
  let h: PipelineHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const backlog = async (siteIds: readonly string[]): Promise<number> => {
    let n = 0;
    for (const s of siteIds) n += (await h!.app.services.site(s))!.tagBacklog ?? 0;
    return n;
  };

  it('AddTagsToResource throttled to zero delays no registration; every node is tagged once it recovers', async () => {
    const sites = [
      { id: 'tg-a', maxBatchSize: 40 },
      { id: 'tg-b', maxBatchSize: 30 },
    ];
    const ids = sites.map((s) => s.id);
    h = await PipelineHarness.start({ sites, emulator: { faults: { 'ssm.AddTagsToResource': { throttle: 1 } } } });
    const evs = [...h.events('tg-a', 80), ...h.events('tg-b', 60)];
    expect(await h.enroll(evs)).toEqual({ accepted: 140, duplicates: 0 });
    await h.waitFor(() => h!.allSettled(ids, 140), 60_000, () => h!.describeCounts(ids));
    // every device registered while not one tag call got through
    const tagOp = () => h!.emulator.state.operations['ssm.AddTagsToResource'] ?? { calls: 0, throttled: 0 };
    expect(tagOp().calls).toBeGreaterThan(0);
    expect(tagOp().throttled).toBe(tagOp().calls);
    expect(await backlog(ids)).toBe(140);
    expect(await h.app.services.device(evs[0]!.deviceId)).toMatchObject({ state: 'registered', tagState: 'pending', taggedAt: null });
    await h.app.services.refreshGauges();
    const during = await h.metrics.registry.metrics();
    expect(during).toContain('fleet_tag_backlog 140');
    // the tag bucket adapted below its ceiling (2,000/s here) while every tag was throttled
    const tagRate = Number(/fleet_rate_limit_per_second\{bucket="ssm-tag"\} ([\d.]+)/.exec(during)?.[1]);
    expect(tagRate).toBeLessThan(2_000);

    h.emulator.setFaults({});
    await h.waitFor(async () => (await backlog(ids)) === 0, 60_000, async () => `tag backlog ${await backlog(ids)}`);
    const ssm = new SSMClient({ region: h.config.awsRegion });
    try {
      for (const e of evs) {
        const d = (await h.app.services.device(e.deviceId))!;
        expect({ id: e.deviceId, tagState: d.tagState }).toEqual({ id: e.deviceId, tagState: 'tagged' });
        const out = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: d.managedNodeId! }));
        const map = Object.fromEntries((out.TagList ?? []).map((t) => [t.Key, t.Value]));
        expect(map).toMatchObject({ 'fleet:device': e.deviceId, 'fleet:site': e.siteId });
      }
    } finally {
      ssm.destroy();
    }
    await h.app.services.refreshGauges();
    expect(await h.metrics.registry.metrics()).toContain('fleet_tag_backlog 0');
  });

  it('FLEET_NODE_TAGS=none: devices register, no node is tagged, nothing waits', async () => {
    h = await PipelineHarness.start({ sites: [{ id: 'tn-a', maxBatchSize: 25 }], nodeTags: 'none' });
    expect(await h.enroll(h.events('tn-a', 50))).toEqual({ accepted: 50, duplicates: 0 });
    await h.waitFor(() => h!.allSettled(['tn-a'], 50), 60_000, () => h!.describeCounts(['tn-a']));
    expect(h.emulator.state.operations['ssm.AddTagsToResource']?.calls ?? 0).toBe(0);
    expect(await backlog(['tn-a'])).toBe(0);
    expect(await h.app.services.device('tn-a-SN-000000')).toMatchObject({ state: 'registered', tagState: null, taggedAt: null });
    // at start the orchestrator said what its budgets allow
    const started = h.logs.lines.find((l) => l.includes('AWS budgets allow'));
    expect(started).toMatch(/AWS budgets allow \d+ devices\/s registered \(limited by \w+; node tags off\)/);
  });
});
