/**
 * The ack script over many acks in one call, against a real Redis: the same acks, once one call each and
 * once all in one call, on two prefixes set up alike, give the same verdicts and leave the same keys —
 * a duplicate, a stale and forged ones, two devices claiming one node, a claim that moves and the node it
 * frees taken in the same call, a `failed` ack, devices `activated` and `delivered`.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchStore } from '../../../src/redis/batch-store.js';
import { ACKS_PER_SCRIPT_CALL, DeviceStore, type AckInput } from '../../../src/redis/device-store.js';
import { Keys } from '../../../src/redis/keys.js';
import { RedisScripts } from '../../../src/redis/redis-scripts.js';
import { SiteBufferStore } from '../../../src/redis/site-buffer-store.js';
import { REDIS_URL } from './support/test-config.js';
import { testScope } from '../../support/test-run.js';

const SITE = 'ab';
const BATCH = 'b-ab-1';
const AID = '11111111-2222-3333-4444-555555555555';
const POLICY = { batchWindowMs: 1_000, maxBatchSize: 1_000 };
const T = 4_000_000;
const node = (n: number): string => `mi-${String(n).padStart(17, '0')}`;
const deviceId = (i: number): string => `${SITE}-SN-${i}`;

interface Fleet {
  readonly keys: Keys;
  readonly devices: DeviceStore;
  /** ack script calls made so far */
  readonly ackCalls: () => number;
}

const redis = new Redis(REDIS_URL);
const used: Keys[] = [];

/** A prefix of its own with one active batch of four devices: 0 and 1 `activated`, 2 and 3 `delivered`. */
async function fleet(): Promise<Fleet> {
  const keys = new Keys(testScope('fleet-ackbatch'));
  used.push(keys);
  const scripts = new RedisScripts(redis);
  let ackCalls = 0;
  const run = scripts.run.bind(scripts);
  scripts.run = (name, key, args) => {
    if (name === 'fleetAck') ackCalls++;
    return run(name, key, args);
  };
  const devices = new DeviceStore(redis, keys, scripts);
  const batches = new BatchStore(redis, keys, scripts);
  const buffers = new SiteBufferStore(redis, keys, scripts);
  const events = [0, 1, 2, 3].map((i) => ({ deviceId: deviceId(i), siteId: SITE, thingName: `edge-${i}`, attributes: {}, reenroll: false }));
  await devices.intake('job-ab', events, () => POLICY, T);
  await buffers.cut({ siteId: SITE, batchId: BATCH, region: 'us-east-1', maxBatchSize: POLICY.maxBatchSize, batchWindowMs: POLICY.batchWindowMs }, T + POLICY.batchWindowMs);
  const attempt = await batches.beginAttempt(BATCH, T);
  await batches.activated(BATCH, { activationId: AID, sealedCode: 'sealed', expiresAt: T + 3_600_000, nonce: 'n1', attempt }, T);
  await devices.markDelivered(BATCH, [deviceId(2), deviceId(3)], T);
  return { keys, devices, ackCalls: () => ackCalls };
}

/** Every key of the prefix (its root replaced by `P`) with its value, sets sorted: two prefixes compare equal when they hold the same. */
async function snapshot(keys: Keys): Promise<Record<string, unknown>> {
  const found = (await redis.keys(keys.everything)).sort();
  const out: Record<string, unknown> = {};
  for (const key of found) {
    const type = await redis.type(key);
    const value =
      type === 'hash' ? await redis.hgetall(key)
      : type === 'list' ? await redis.lrange(key, 0, -1)
      : type === 'set' ? (await redis.smembers(key)).sort()
      : type === 'zset' ? await redis.zrange(key, '0', '-1', 'WITHSCORES')
      : type === 'string' ? await redis.get(key)
      : type;
    out[key.replace(keys.root, 'P')] = value;
  }
  return out;
}

/** device i's ack as the script gets it (the MAC checked already) */
function ack(i: number, over: Partial<AckInput> = {}): AckInput {
  return { batchId: BATCH, index: i, deliveryId: `${BATCH}.${i}.n1`, activationId: AID, status: 'registered', managedNodeId: node(i), topic: undefined, error: '', ...over };
}

describe('the ack script over many acks in one call', () => {
  afterAll(async () => {
    for (const keys of used) {
      const found = await redis.keys(keys.everything);
      if (found.length > 0) await redis.del(...found);
    }
    await redis.quit();
  });

  it('gives the verdicts and leaves the state the same acks give one call each', async () => {
    const acks: AckInput[] = [
      ack(0), // accepted: device 0 claims node 0
      ack(0), // the same ack again: stale
      ack(1, { managedNodeId: node(0) }), // node 0 is device 0's: claimed
      ack(1, { deliveryId: ack(0).deliveryId }), // device 1's slot with device 0's delivery id: stale
      ack(2, { activationId: '99999999-2222-3333-4444-555555555555' }), // not its activation: forged
      ack(2, { topic: { siteId: SITE, thingName: 'edge-3' } }), // another device's topic: forged
      ack(99), // no such member: forged
      ack(3, { status: 'failed', managedNodeId: '', error: 'agent refused' }), // accepted: error kept, still waiting
      ack(0, { managedNodeId: node(9) }), // device 0 moves its claim to node 9: accepted, node 0 free
      ack(1, { managedNodeId: node(0) }), // … which device 1 now takes: accepted
      ack(3, { managedNodeId: node(9), topic: { siteId: SITE, thingName: 'edge-3' } }), // node 9 is device 0's: claimed
      ack(3, { topic: { siteId: SITE, thingName: 'edge-3' } }), // accepted, from delivered
      ack(2), // accepted, from delivered
    ];
    const alone = await fleet();
    const together = await fleet();
    const one: string[] = [];
    for (const a of acks) one.push(await alone.devices.ack(a, T + 10));
    expect(alone.ackCalls()).toBe(acks.length);
    const many = await together.devices.ackMany(acks, T + 10);
    expect(together.ackCalls()).toBe(1);

    expect(one).toEqual(['accepted', 'stale', 'claimed', 'stale', 'forged', 'forged', 'forged', 'accepted', 'accepted', 'accepted', 'claimed', 'accepted', 'accepted']);
    expect(many).toEqual(one);
    const state = await snapshot(together.keys);
    expect(Object.keys(state)).toEqual(expect.arrayContaining(['P:nodes', 'P:ackd', `P:back:${BATCH}`, `P:batch:${BATCH}`, `P:dev:${deviceId(3)}`, `P:cnt:${SITE}`]));
    expect(state).toEqual(await snapshot(alone.keys));
    // and that state is what the acks say: every device acked with its node, each node claimed once
    expect(await together.devices.nodeClaims([node(0), node(2), node(3), node(9)])).toEqual(
      new Map([
        [node(0), deviceId(1)],
        [node(2), deviceId(2)],
        [node(3), deviceId(3)],
        [node(9), deviceId(0)],
      ]),
    );
    expect(await together.devices.counts(SITE)).toMatchObject({ activated: 0, delivered: 0, acked: 4 });
    expect(await together.devices.get(deviceId(3))).toMatchObject({ state: 'acked', managedNodeId: node(3), error: null });
  });

  it(`splits more than ${ACKS_PER_SCRIPT_CALL} acks into calls of at most ${ACKS_PER_SCRIPT_CALL}, one verdict per ack in order`, async () => {
    const f = await fleet();
    const acks = Array.from({ length: ACKS_PER_SCRIPT_CALL + 1 }, (_, i) => (i === ACKS_PER_SCRIPT_CALL ? ack(1) : ack(500 + i)));
    const verdicts = await f.devices.ackMany(acks, T + 20);
    expect(f.ackCalls()).toBe(2);
    expect(verdicts).toEqual([...Array.from({ length: ACKS_PER_SCRIPT_CALL }, () => 'forged'), 'accepted']);
    expect(await f.devices.ackMany([], T + 20)).toEqual([]);
    expect(f.ackCalls()).toBe(2);
  });
});
