/**
 * The Redis stores and their Lua scripts against a real Redis (own prefix): authoritative dedupe, idempotent
 * intake on job retry, re-enroll, batch cut bounds (≤ maxBatchSize, ≥ 1, full at once, partial when due),
 * exact per-site counts, ack checks — and the memory a device in flight costs.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnboardingEvent } from '../../../src/domain/onboarding-event.js';
import { BatchStore } from '../../../src/redis/batch-store.js';
import { DeviceStore } from '../../../src/redis/device-store.js';
import { Keys } from '../../../src/redis/keys.js';
import { RedisScripts } from '../../../src/redis/redis-scripts.js';
import { SiteBufferStore } from '../../../src/redis/site-buffer-store.js';
import { REDIS_URL } from './support/test-config.js';
import { testScope } from '../../support/test-run.js';

const POLICY = { batchWindowMs: 1_000, maxBatchSize: 1_000 };

function events(site: string, n: number, from = 0, reenroll = false): OnboardingEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const deviceId = `${site}-SN-${String(from + i).padStart(7, '0')}`;
    return { deviceId, siteId: site, thingName: `edge-${deviceId}`, attributes: { model: 'X1', line: '4' }, reenroll };
  });
}

describe('Redis stores and Lua scripts', () => {
  const redis = new Redis(REDIS_URL);
  const keys = new Keys(testScope('fleet-store'));
  const scripts = new RedisScripts(redis);
  const devices = new DeviceStore(redis, keys, scripts);
  const batches = new BatchStore(redis, keys, scripts);
  const buffers = new SiteBufferStore(redis, keys, scripts);
  const cut = (siteId: string, batchId: string, now: number, max = POLICY.maxBatchSize) =>
    buffers.cut({ siteId, batchId, region: 'us-east-1', maxBatchSize: max, batchWindowMs: POLICY.batchWindowMs }, now);

  beforeAll(async () => {
    await redis.ping();
  });
  afterAll(async () => {
    const found = await redis.keys(keys.everything);
    if (found.length > 0) await redis.del(...found);
    await redis.quit();
  });

  it('dedupes devices in flight, is idempotent for a retried job, lets reenroll through', async () => {
    const t = 1_000_000;
    const evs = events('s1', 5);
    expect(await devices.intake('job-1', evs, () => POLICY, t)).toEqual({ accepted: 5, duplicates: 0, refused: 0 });
    // BullMQ retries job-1: nothing is buffered twice
    expect(await devices.intake('job-1', evs, () => POLICY, t + 1)).toEqual({ accepted: 5, duplicates: 0, refused: 0 });
    expect(await buffers.buffered('s1')).toBe(5);
    // another request with the same devices: duplicates
    expect(await devices.intake('job-2', evs, () => POLICY, t + 2)).toEqual({ accepted: 0, duplicates: 5, refused: 0 });
    // reenroll goes through; the buffer holds it twice but a batch takes it once
    expect(await devices.intake('job-3', [{ ...evs[0]!, reenroll: true }], () => POLICY, t + 3)).toEqual({ accepted: 1, duplicates: 0, refused: 0 });
    expect(await buffers.buffered('s1')).toBe(6);
    expect(await devices.counts('s1')).toMatchObject({ accepted: 5 });
    expect(await cut('s1', 'b-s1-1', t + POLICY.batchWindowMs)).toBe(5);
    expect(await buffers.buffered('s1')).toBe(0);
    expect(await devices.counts('s1')).toMatchObject({ accepted: 0, batched: 5 });
    expect(await batches.get('b-s1-1')).toMatchObject({ state: 'open', size: 5, left: 5, siteId: 's1' });
  });

  it('keeps a device at its site, moves it only when allowed, keeps its history, refuses a shared thingName', async () => {
    const t = 1_500_000;
    const [d] = events('m1', 1);
    expect(await devices.intake('job-m1', [d!], () => POLICY, t)).toEqual({ accepted: 1, duplicates: 0, refused: 0 });
    const before = await redis.hgetall(keys.device(d!.deviceId));
    // another site, with reenroll but without the API's leave to move it: untouched
    const elsewhere = { ...d!, siteId: 'm2', reenroll: true };
    expect(await devices.intake('job-m2', [elsewhere], () => POLICY, t + 1)).toEqual({ accepted: 0, duplicates: 0, refused: 1 });
    expect(await devices.intake('job-m3', [{ ...elsewhere, moveFrom: 'other' }], () => POLICY, t + 1)).toEqual({ accepted: 0, duplicates: 0, refused: 1 });
    expect(await devices.intake('job-m4', [{ ...elsewhere, reenroll: false, moveFrom: 'm1' }], () => POLICY, t + 1)).toEqual({ accepted: 0, duplicates: 0, refused: 1 });
    expect(await redis.hgetall(keys.device(d!.deviceId))).toEqual(before);
    expect(await devices.history(d!.deviceId)).toEqual([]);
    // allowed: it moves, and its old record becomes history
    expect(await devices.intake('job-m5', [{ ...elsewhere, moveFrom: 'm1' }], () => POLICY, t + 2)).toEqual({ accepted: 1, duplicates: 0, refused: 0 });
    expect(await devices.get(d!.deviceId)).toMatchObject({ siteId: 'm2', state: 'accepted' });
    expect(await devices.history(d!.deviceId)).toEqual([
      expect.objectContaining({ siteId: 'm1', state: 'accepted', thingName: d!.thingName, replacedAt: t + 2, times: { accepted: t } }),
    ]);
    expect(await devices.counts('m1')).toMatchObject({ accepted: 0 });
    expect(await devices.counts('m2')).toMatchObject({ accepted: 1 });
    // its thing name is free again at m1; at m2 another device may not take it while it is in flight
    const [other] = events('m2', 1);
    const clash = { ...other!, thingName: d!.thingName };
    expect(await devices.intake('job-m6', [clash], () => POLICY, t + 3)).toEqual({ accepted: 0, duplicates: 0, refused: 1 });
    expect(await devices.get(other!.deviceId)).toBeNull();
    expect(await devices.intake('job-m7', [{ ...clash, siteId: 'm1' }], () => POLICY, t + 3)).toEqual({ accepted: 1, duplicates: 0, refused: 0 });
  });

  it('cuts full buffers at once in batches of maxBatchSize, the rest only when its window has passed', async () => {
    const t = 2_000_000;
    await devices.intake('job-big', events('s2', 2_500), () => POLICY, t);
    expect(await buffers.dueSites(t)).toContain('s2');
    expect(await cut('s2', 'b-s2-1', t)).toBe(1_000);
    expect(await cut('s2', 'b-s2-2', t)).toBe(1_000);
    // 500 left: not due before the window has passed since they entered the buffer
    expect(await cut('s2', 'b-s2-3', t + 10)).toBe(0);
    expect(await buffers.nextCutAt('s2')).toBe(t + POLICY.batchWindowMs);
    // the earliest due of all buffers (a later one beside it): what the cut loop sleeps until
    await devices.intake('job-big-later', events('s2n', 1), () => POLICY, t + 5);
    expect(await buffers.nextDueAt()).toBeLessThanOrEqual(t + POLICY.batchWindowMs);
    expect(await cut('s2', 'b-s2-3', t + POLICY.batchWindowMs)).toBe(500);
    expect(await cut('s2', 'b-s2-4', t + 10 * POLICY.batchWindowMs)).toBe(0);
    expect(await buffers.dueSites(t + 10 * POLICY.batchWindowMs)).not.toContain('s2');
    expect(await batches.get('b-s2-4')).toBeNull();
    expect(await devices.counts('s2')).toMatchObject({ accepted: 0, batched: 2_500 });
  });

  it('checks acks against the current delivery, activation and topic', async () => {
    const t = 3_000_000;
    await devices.intake('job-ack', events('s3', 2), () => POLICY, t);
    await cut('s3', 'b-s3-1', t + POLICY.batchWindowMs);
    expect(await batches.beginAttempt('b-s3-1', t)).toBe(1);
    expect(await batches.beginAttempt('b-s3-1', t)).toBe(2);
    const aid = '11111111-2222-3333-4444-555555555555';
    // an attempt overtaken by a later one (its worker's lease ran out mid-call) records nothing
    const stale = { activationId: '22222222-2222-3333-4444-555555555555', sealedCode: 'sealed', expiresAt: t + 60_000, nonce: 'n0', attempt: 1 };
    expect(await batches.activated('b-s3-1', stale, t)).toBe(-1);
    expect(await batches.activated('b-s3-1', { activationId: aid, sealedCode: 'sealed', expiresAt: t + 60_000, nonce: 'n1', attempt: 2 }, t)).toBe(2);
    const d0 = (await devices.get('s3-SN-0000000'))!;
    expect(d0).toMatchObject({ state: 'activated', activationId: aid, deliveryId: 'b-s3-1.0.n1' });
    const ack = { batchId: 'b-s3-1', index: 0, deliveryId: 'b-s3-1.0.n1', activationId: aid, status: 'registered' as const, managedNodeId: 'mi-0123456789abcdef0', topic: undefined, error: '' };
    expect(await devices.ack({ ...ack, activationId: '99999999-2222-3333-4444-555555555555' }, t)).toBe('forged');
    expect(await devices.ack({ ...ack, topic: { siteId: 's3', thingName: 'edge-s3-SN-0000001' } }, t)).toBe('forged');
    expect(await devices.ack({ ...ack, index: 1 }, t)).toBe('stale');
    expect(await devices.ack({ ...ack, index: 7 }, t)).toBe('forged');
    expect(await devices.ack({ ...ack, status: 'failed', error: 'agent refused' }, t)).toBe('accepted');
    expect(await devices.get('s3-SN-0000000')).toMatchObject({ state: 'activated', error: 'agent refused' });
    expect(await devices.ack({ ...ack, topic: { siteId: 's3', thingName: 'edge-s3-SN-0000000' } }, t)).toBe('accepted');
    expect(await devices.get('s3-SN-0000000')).toMatchObject({ state: 'acked', managedNodeId: 'mi-0123456789abcdef0', error: null });
    // a replay of the same ack
    expect(await devices.ack(ack, t)).toBe('stale');
    // a batch-mate's ack claiming the node device 0 holds: refused, nothing changes
    const mate = { ...ack, index: 1, deliveryId: 'b-s3-1.1.n1' };
    expect(await devices.ack(mate, t)).toBe('claimed');
    expect(await devices.get('s3-SN-0000001')).toMatchObject({ state: 'activated', managedNodeId: null });
    // device 0 acks again with another node (its first was wrong): the claim moves with it
    expect(await devices.ack({ ...ack, managedNodeId: 'mi-0123456789abcdef1' }, t + 1)).toBe('accepted');
    expect(await devices.get('s3-SN-0000000')).toMatchObject({ state: 'acked', managedNodeId: 'mi-0123456789abcdef1' });
    expect(await devices.nodeClaims(['mi-0123456789abcdef0', 'mi-0123456789abcdef1'])).toEqual(new Map([['mi-0123456789abcdef1', 's3-SN-0000000']]));
    expect(await devices.counts('s3')).toMatchObject({ activated: 1, acked: 1 });
    // the node it let go is free for the batch-mate
    expect(await devices.ack(mate, t + 2)).toBe('accepted');
    expect(await devices.ack({ ...mate, managedNodeId: 'mi-0123456789abcdef1' }, t + 3)).toBe('claimed');
    await devices.ack({ ...mate, managedNodeId: 'mi-0123456789abcdef2' }, t + 3);
    await devices.ack(ack, t + 3);
    expect(await batches.withUnverifiedAcks()).toContain('b-s3-1');
    expect([...(await batches.ackedUnverified('b-s3-1'))].sort()).toEqual(['s3-SN-0000000', 's3-SN-0000001']);
    expect(await devices.markRegistered('b-s3-1', ['s3-SN-0000000'], t, false)).toBe(1);
    expect(await batches.ackedUnverified('b-s3-1')).toEqual(['s3-SN-0000001']);
    expect(await devices.counts('s3')).toMatchObject({ acked: 1, registered: 1 });

    // the activation expires before SSM showed the mate's node: it is re-batched, and its claim goes with
    // its node field (nothing else would ever release it); the registered device keeps its claim
    expect(await batches.expire('b-s3-1', { maxRebatches: 3, batchWindowMs: POLICY.batchWindowMs, maxBatchSize: POLICY.maxBatchSize, reason: 'expired' }, t + 4)).toEqual({ rebatched: 1, failed: 0 });
    expect(await devices.get('s3-SN-0000001')).toMatchObject({ state: 'accepted', managedNodeId: null });
    expect(await devices.nodeClaims(['mi-0123456789abcdef0', 'mi-0123456789abcdef2'])).toEqual(new Map([['mi-0123456789abcdef0', 's3-SN-0000000']]));
  });

  it("reads a delivery's view of each device: the fields of its whole record that delivery uses, null for none", async () => {
    const t = 3_500_000;
    await devices.intake('job-view', events('s3v', 2), () => POLICY, t);
    await cut('s3v', 'b-s3v-1', t + POLICY.batchWindowMs);
    expect(await batches.beginAttempt('b-s3v-1', t)).toBe(1);
    const aid = '33333333-2222-3333-4444-555555555555';
    await batches.activated('b-s3v-1', { activationId: aid, sealedCode: 'sealed', expiresAt: t + 60_000, nonce: 'nv', attempt: 1 }, t + 5);
    expect(await devices.markDelivered('b-s3v-1', ['s3v-SN-0000001'], t + 9)).toBe(1);
    // the batch's delivery time, and its redelivery rounds (each one counted)
    await batches.markDelivered('b-s3v-1', t + 9);
    expect(await batches.get('b-s3v-1')).toMatchObject({ deliveredAt: t + 9, redeliveries: 0 });
    await batches.markDelivered('b-s3v-1', t + 10, true);
    await batches.markDelivered('b-s3v-1', t + 11, true);
    expect(await batches.get('b-s3v-1')).toMatchObject({ deliveredAt: t + 11, redeliveries: 2 });
    const ids = ['s3v-SN-0000000', 's3v-SN-0000001', 's3v-SN-missing'];
    const views = await devices.deliveryViews(ids);
    const records = await devices.getMany(ids);
    expect(views[2]).toBeNull();
    for (const [i, view] of views.slice(0, 2).entries()) {
      const r = records[i]!;
      expect(view).toEqual({
        deviceId: r.deviceId,
        state: r.state,
        siteId: r.siteId,
        thingName: r.thingName,
        batchId: r.batchId,
        deliveryId: r.deliveryId,
        times: { accepted: r.times.accepted, ...(r.times.delivered !== undefined ? { delivered: r.times.delivered } : {}) },
      });
    }
    expect(views[0]).toMatchObject({ state: 'activated', batchId: 'b-s3v-1', deliveryId: 'b-s3v-1.0.nv', times: { accepted: t } });
    expect(views[1]).toMatchObject({ state: 'delivered', times: { accepted: t, delivered: t + 9 } });
    // the verification view: the same fields as the whole record, the managed node once acked
    const ack = { batchId: 'b-s3v-1', index: 1, deliveryId: 'b-s3v-1.1.nv', activationId: aid, status: 'registered' as const, managedNodeId: 'mi-0123456789abcdef7', topic: undefined, error: '' };
    expect(await devices.ack(ack, t + 12)).toBe('accepted');
    const verify = await devices.verifyViews(ids);
    expect(verify[1]).toMatchObject({ state: 'acked', managedNodeId: 'mi-0123456789abcdef7' });
    expect(verify[2]).toBeNull();
    const now = await devices.getMany(ids);
    for (const [i, view] of verify.slice(0, 2).entries()) {
      const r = now[i]!;
      expect(view).toEqual({ deviceId: r.deviceId, state: r.state, siteId: r.siteId, thingName: r.thingName, batchId: r.batchId, managedNodeId: r.managedNodeId, times: { accepted: r.times.accepted } });
    }
  });

  it('reads views of more devices than one script call takes, in order, and owners and thing holders across sites', async () => {
    const t = 3_600_000;
    await devices.intake('job-many', [...events('s3m', 2), ...events('s3n', 1)], () => POLICY, t);
    const ids = ['s3m-SN-0000000', ...Array.from({ length: 1_000 }, (_, i) => `s3m-none-${i}`), 's3n-SN-0000000', 's3m-SN-0000001'];
    const views = await devices.deliveryViews(ids);
    expect(views).toHaveLength(1_003);
    expect(views.filter((v) => v !== null).map((v) => [v!.deviceId, v!.siteId, v!.state])).toEqual([
      ['s3m-SN-0000000', 's3m', 'accepted'],
      ['s3n-SN-0000000', 's3n', 'accepted'],
      ['s3m-SN-0000001', 's3m', 'accepted'],
    ]);
    expect(views[1_001]).toMatchObject({ deviceId: 's3n-SN-0000000' });
    const owners = await devices.owners(['s3n-SN-0000000', 's3m-none-1', 's3m-SN-0000001']);
    expect(owners).toEqual([{ state: 'accepted', siteId: 's3n', thingName: (await devices.get('s3n-SN-0000000'))!.thingName }, null, { state: 'accepted', siteId: 's3m', thingName: (await devices.get('s3m-SN-0000001'))!.thingName }]);
    // another device asking for a name held in flight at its site gets the holder; its own name, a free one or one of another site, null
    const m1 = (await devices.get('s3m-SN-0000001'))!;
    const n0 = (await devices.get('s3n-SN-0000000'))!;
    const holders = await devices.thingHolders([
      { deviceId: 'other-1', siteId: 's3m', thingName: m1.thingName },
      { deviceId: 's3n-SN-0000000', siteId: 's3n', thingName: n0.thingName },
      { deviceId: 'other-2', siteId: 's3n', thingName: n0.thingName },
      { deviceId: 'other-3', siteId: 's3n', thingName: m1.thingName },
      { deviceId: 'other-4', siteId: 's3m', thingName: 'free-name' },
    ]);
    expect(holders).toEqual(['s3m-SN-0000001', null, 's3n-SN-0000000', null, null]);
  });

  it('fails a batch only before it has an activation: an active batch is refused and keeps its expiry watch', async () => {
    const t = 5_000_000;
    await devices.intake('job-fail', events('s5', 3), () => POLICY, t);
    expect(await cut('s5', 'b-s5-1', t + POLICY.batchWindowMs, 2)).toBe(2);
    expect(await cut('s5', 'b-s5-2', t + POLICY.batchWindowMs)).toBe(1);
    expect(await batches.beginAttempt('b-s5-1', t)).toBe(1);
    const aid = '33333333-2222-3333-4444-555555555555';
    expect(await batches.activated('b-s5-1', { activationId: aid, sealedCode: 'sealed', expiresAt: t + 60_000, nonce: 'n1', attempt: 1 }, t)).toBe(2);
    const exp = `${keys.root}:exp`;
    expect(await redis.zscore(exp, 'b-s5-1')).not.toBeNull();

    // active: refused, nothing changes — its activation stays on the expiry watch, so it is deleted in time
    expect(await batches.fail('b-s5-1', 'gave up', t + 1)).toBe(-1);
    expect(await batches.get('b-s5-1')).toMatchObject({ state: 'active', activationId: aid });
    expect(await redis.zscore(exp, 'b-s5-1')).not.toBeNull();
    expect(await devices.counts('s5')).toMatchObject({ activated: 2, failed: 0 });

    // a batch that never got an activation fails, and its device with it
    expect(await batches.beginAttempt('b-s5-2', t)).toBe(1);
    expect(await batches.fail('b-s5-2', 'gave up after 1 attempts', t + 1)).toBe(1);
    expect(await devices.counts('s5')).toMatchObject({ activated: 2, failed: 1 });
    expect(await batches.get('b-s5-2')).toMatchObject({ state: 'failed' });
    expect(await batches.fail('b-s5-2', 'again', t + 2)).toBe(-1);
  });

  it('keeps a device in flight under 1.5 KB of Redis memory, in compact encodings', async () => {
    const t = 4_000_000;
    const n = 1_000;
    await devices.intake('job-mem', events('s4', n), () => POLICY, t);
    await cut('s4', 'b-s4-1', t);
    await batches.beginAttempt('b-s4-1', t);
    await batches.activated('b-s4-1', { activationId: '11111111-2222-3333-4444-555555555555', sealedCode: 'x'.repeat(120), expiresAt: t + 1, nonce: 'abcd1234', attempt: 1 }, t);
    const ids = await batches.deviceIds('b-s4-1');
    await devices.markDelivered('b-s4-1', ids, t);
    let bytes = 0;
    for (const id of ids) bytes += Number(await redis.memory('USAGE', keys.device(id)));
    bytes += Number(await redis.memory('USAGE', keys.batchDevices('b-s4-1')));
    bytes += Number(await redis.memory('USAGE', keys.batch('b-s4-1')));
    bytes += Number(await redis.memory('USAGE', keys.things('s4')));
    expect(await redis.object('ENCODING', keys.device(ids[0]!))).toBe('listpack');
    console.info(`Redis bytes per device in flight: ${Math.round(bytes / n)}`);
    expect(bytes / n).toBeLessThanOrEqual(1_536);
  });
});
