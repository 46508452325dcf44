/**
 * ReconcileService with in-memory stores, SSM node list, publisher, jobs and lease, and an injected clock:
 * acks verified against SSM's node list (registered, or left for the next pass), a batch completed when nothing
 * is left, a batch expired at its activation's expiry (re-batched, or failed past the bound; strays counted),
 * stuck and blocked batches re-driven, and the leader lease.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/adapters/metrics.js';
import type { ManagedNode, SsmActivations } from '../../../src/adapters/ssm-activations.js';
import { AwsCallError } from '../../../src/domain/errors.js';
import { DEFAULT_TOPICS } from '../../../src/domain/messages.js';
import { REDELIVERY_MAX_FACTOR } from '../../../src/domain/redelivery.js';
import type { Site, SitesConfig } from '../../../src/domain/site.js';
import { ReconcileService } from '../../../src/services/reconcile-service.js';
import { FakeBatchStore, FakeDeviceStore, FakePublisher, FleetMemory, RecordingLimiter, type StoredBatch } from './fakes-stores.js';

const SITE: Site = { id: 'plant-1', region: 'us-east-1', iamRole: 'EdgeSSMRole', maxBatchSize: 100, batchWindowMs: 1_000, activationTtlHours: 24, tags: {} };
const DAY_MS = 24 * 3_600_000;
const STUCK_MS = 10_000;
const REDELIVER_MS = 60_000;
const node = (n: number): string => `mi-${String(n).padStart(17, '0')}`;
const topicOf = (deviceId: string): string => `fleet/enroll/plant-1/thing-${deviceId}/activation`;
const unavailable = (operation: string): AwsCallError => new AwsCallError('AWS_TRANSIENT', operation, 'InternalServerError', 'try again', 500);

/** SSM's managed nodes per activation, and the activations deleted; `fail` makes a call throw. */
class FakeNodeList implements Pick<SsmActivations, 'nodesOf' | 'delete'> {
  readonly nodes = new Map<string, string[]>();
  readonly deleted: string[] = [];
  describes = 0;
  fail: (call: 'nodesOf' | 'delete', activationId: string) => Error | undefined = () => undefined;
  /** runs during a node list read (to change the store meanwhile) */
  during: (() => void) | undefined;

  register(activationId: string, ...managedNodeIds: string[]): void {
    this.nodes.set(activationId, [...(this.nodes.get(activationId) ?? []), ...managedNodeIds]);
  }
  async nodesOf(_region: string, activationId: string): Promise<ManagedNode[]> {
    this.describes++;
    const err = this.fail('nodesOf', activationId);
    if (err) throw err;
    this.during?.();
    return (this.nodes.get(activationId) ?? []).map((managedNodeId) => ({ managedNodeId }));
  }
  async delete(_region: string, activationId: string): Promise<boolean> {
    const err = this.fail('delete', activationId);
    if (err) throw err;
    this.deleted.push(activationId);
    return true;
  }
}

interface RigOptions {
  readonly maxRebatches?: number;
  /** lease grants before it is lost (default: never lost) */
  readonly leaseGrants?: number;
  /** each Region's node quota (missing: none) */
  readonly quota?: Record<string, number>;
  readonly retainedExpiryCapSeconds?: number;
  /** tries of each idempotent AWS call within a pass (default 1: no retry) */
  readonly awsAttempts?: number;
}

function rig(options: RigOptions = {}) {
  const clock = { now: 50_000_000 };
  const memory = new FleetMemory();
  const ssm = new FakeNodeList();
  const publisher = new FakePublisher();
  const limiter = new RecordingLimiter();
  const metrics = new Metrics();
  const jobs = { activation: [] as string[], delivery: [] as string[], redelivery: [] as [string, number][] };
  const lease = { holds: 0 };
  const batches = new FakeBatchStore(memory);
  const sites: SitesConfig = { sites: new Map([[SITE.id, SITE]]), regions: new Map(), defaultNodeQuota: null };
  const service = new ReconcileService({
    sites,
    nodeQuota: { limit: async (region) => options.quota?.[region] ?? null },
    batches,
    devices: new FakeDeviceStore(memory),
    ssm,
    publisher,
    limiter,
    jobs: {
      addActivation: async (id: string) => void jobs.activation.push(id),
      addDelivery: async (id: string) => void jobs.delivery.push(id),
      addRedelivery: async (id: string, before: number) => void jobs.redelivery.push([id, before]),
    },
    leader: { hold: async () => ++lease.holds <= (options.leaseGrants ?? Number.POSITIVE_INFINITY) },
    topics: DEFAULT_TOPICS,
    maxRebatches: options.maxRebatches ?? 2,
    tagNodes: true,
    metrics,
    logger: pino({ level: 'silent' }),
    awsRetry: { attempts: options.awsAttempts ?? 1, baseDelayMs: 0, maxDelayMs: 0 },
    stuckAfterMs: STUCK_MS,
    redeliverAfterMs: REDELIVER_MS,
    retainedExpiryCapSeconds: options.retainedExpiryCapSeconds,
    clock: () => clock.now,
  });
  /** an active batch delivered just now, its activation live for a day: nothing for the re-drive to do */
  const deliveredBatch = (batchId: string, deviceIds: readonly string[], over: Partial<StoredBatch> = {}): StoredBatch => {
    const b = memory.addActiveBatch(batchId, deviceIds, { activatedAt: clock.now, deliveredAt: clock.now, expiresAt: clock.now + DAY_MS, updatedAt: clock.now, ...over });
    for (const id of deviceIds) memory.moveDevice(id, 'delivered', clock.now);
    return b;
  };
  const states = (...ids: string[]): string[] => ids.map((id) => memory.device(id).state);
  const metricsText = (): Promise<string> => metrics.registry.metrics();
  return { clock, memory, batches, ssm, publisher, limiter, jobs, lease, service, deliveredBatch, states, metricsText };
}

const NOTHING = { leader: true, registered: 0, completed: 0, expired: 0, redriven: 0 };

describe('ReconcileService: verifying acks', () => {
  it('registers an acked device once SSM lists its node: credentials cleared, node queued for tagging; an ack SSM does not show yet waits', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1', 'SN-2', 'SN-3']);
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.memory.ack('SN-2', node(2), r.clock.now);
    r.ssm.register('act-b1', node(1));
    expect(await r.service.tick()).toEqual({ ...NOTHING, registered: 1 });
    expect(r.states('SN-1', 'SN-2', 'SN-3')).toEqual(['registered', 'acked', 'delivered']);
    expect(r.publisher.cleared).toEqual([topicOf('SN-1')]);
    expect([...r.memory.tagQueue]).toEqual(['plant-1/SN-1']);
    expect(r.memory.batch('b1')).toMatchObject({ state: 'active', left: 2, registered: 1 });
    // SN-2's ack is not verified: the batch is looked at again next pass
    expect(r.memory.ackedBatches.has('b1')).toBe(true);

    r.ssm.register('act-b1', node(2));
    expect(await r.service.tick()).toEqual({ ...NOTHING, registered: 1 });
    expect(r.states('SN-1', 'SN-2', 'SN-3')).toEqual(['registered', 'registered', 'delivered']);
    expect(r.memory.ackedBatches.has('b1')).toBe(false);
    expect(r.ssm.describes).toBe(2);
    expect(r.ssm.deleted).toEqual([]);
  });

  it('does not register a device for a node SSM lists if another device holds the claim on that node', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1', 'SN-2']);
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.memory.nodeClaims.set(node(1), 'SN-9');
    r.ssm.register('act-b1', node(1));
    expect(await r.service.tick()).toEqual(NOTHING);
    expect(r.states('SN-1')).toEqual(['acked']);
    expect(r.publisher.cleared).toEqual([]);
  });

  it('a device whose credentials cannot be cleared stays acked for the next pass; its batch-mates register', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1', 'SN-2', 'SN-3']);
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.memory.ack('SN-2', node(2), r.clock.now);
    r.ssm.register('act-b1', node(1), node(2));
    r.publisher.fail = (topic) => (topic === topicOf('SN-1') ? unavailable('Publish') : undefined);
    expect(await r.service.tick()).toMatchObject({ registered: 1 });
    expect(r.states('SN-1', 'SN-2')).toEqual(['acked', 'registered']);
    expect(r.memory.ackedBatches.has('b1')).toBe(true);

    r.publisher.fail = () => undefined;
    expect(await r.service.tick()).toMatchObject({ registered: 1 });
    expect(r.states('SN-1', 'SN-2')).toEqual(['registered', 'registered']);
    expect(r.publisher.cleared).toEqual([topicOf('SN-2'), topicOf('SN-1')]);
  });

  it('an ack that comes while the node list is read keeps the batch to verify', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1', 'SN-2', 'SN-3']);
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.ssm.register('act-b1', node(1), node(2));
    r.ssm.during = () => {
      r.ssm.during = undefined;
      r.memory.ack('SN-2', node(2), r.clock.now);
    };
    expect(await r.service.tick()).toMatchObject({ registered: 1 });
    expect(r.memory.ackedBatches.has('b1')).toBe(true);
    expect(await r.service.tick()).toMatchObject({ registered: 1 });
    expect(r.states('SN-1', 'SN-2', 'SN-3')).toEqual(['registered', 'registered', 'delivered']);
    expect(r.memory.ackedBatches.has('b1')).toBe(false);
  });

  it('ids in the to-verify set that are no longer acked devices of the batch just leave it, without a node list read', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1', 'SN-2']);
    r.memory.ack('SN-1', node(1), r.clock.now);
    // re-enrolled elsewhere meanwhile
    Object.assign(r.memory.device('SN-1'), { batchId: 'b9', state: 'accepted' });
    expect(await r.service.tick()).toEqual(NOTHING);
    expect(r.ssm.describes).toBe(0);
    expect(r.memory.unverified.get('b1')?.size).toBe(0);
    expect(r.memory.ackedBatches.has('b1')).toBe(false);
    expect(r.memory.batch('b1').left).toBe(2);
  });

  it('acks recorded before the to-verify set existed: every acked member is verified', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1', 'SN-2']);
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.memory.unverified.delete('b1');
    r.ssm.register('act-b1', node(1));
    expect(await r.service.tick()).toMatchObject({ registered: 1 });
    expect(r.states('SN-1', 'SN-2')).toEqual(['registered', 'delivered']);
  });

  it('a batch that is no longer active leaves the to-verify set without a node list read', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1']);
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.memory.batch('b1').state = 'failed';
    expect(await r.service.tick()).toEqual(NOTHING);
    expect(r.ssm.describes).toBe(0);
    expect(r.memory.ackedBatches.size).toBe(0);
  });

  it('a throttled node list read is tried again within the pass', async () => {
    const r = rig({ awsAttempts: 2 });
    r.deliveredBatch('b1', ['SN-1', 'SN-2']);
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.ssm.register('act-b1', node(1));
    const throttled = new AwsCallError('AWS_THROTTLED', 'DescribeInstanceInformation', 'ThrottlingException', 'Rate exceeded', 400);
    r.ssm.fail = (call) => (call === 'nodesOf' && r.ssm.describes === 1 ? throttled : undefined);
    expect(await r.service.tick()).toMatchObject({ registered: 1 });
    expect(r.ssm.describes).toBe(2);
  });

  it("one batch's AWS failure does not stop the others; it is verified on a later pass", async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1', 'SN-2']);
    r.deliveredBatch('b2', ['SN-3', 'SN-4']);
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.memory.ack('SN-3', node(3), r.clock.now);
    r.ssm.register('act-b1', node(1));
    r.ssm.register('act-b2', node(3));
    r.ssm.fail = (call, activationId) => (call === 'nodesOf' && activationId === 'act-b1' ? unavailable('DescribeInstanceInformation') : undefined);
    expect(await r.service.tick()).toMatchObject({ registered: 1 });
    expect(r.states('SN-1', 'SN-3')).toEqual(['acked', 'registered']);
    r.ssm.fail = () => undefined;
    expect(await r.service.tick()).toMatchObject({ registered: 1 });
    expect(r.states('SN-1', 'SN-3')).toEqual(['registered', 'registered']);
  });
});

describe('ReconcileService: completing a batch', () => {
  it('when its last device registers: activation deleted, code gone, batch completed and counted', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1', 'SN-2'], { sealedCode: 'sealed' });
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.memory.ack('SN-2', node(2), r.clock.now);
    r.ssm.register('act-b1', node(1), node(2));
    expect(await r.service.tick()).toEqual({ ...NOTHING, registered: 2, completed: 1 });
    expect(r.ssm.deleted).toEqual(['act-b1']);
    expect(r.memory.batch('b1')).toMatchObject({ state: 'completed', left: 0, registered: 2, sealedCode: null });
    expect(r.memory.ackedBatches.size).toBe(0);
    expect(await r.metricsText()).toContain('fleet_batches_finished_total{state="completed"} 1');
    // a completed batch is not looked at again
    expect(await r.service.tick()).toEqual(NOTHING);
    expect(r.ssm.describes).toBe(1);
  });

  it('a failed delete keeps the batch to verify, and the next pass deletes and completes it', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1']);
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.ssm.register('act-b1', node(1));
    r.ssm.fail = (call) => (call === 'delete' ? unavailable('DeleteActivation') : undefined);
    await r.service.tick();
    expect(r.states('SN-1')).toEqual(['registered']);
    expect(r.memory.batch('b1')).toMatchObject({ state: 'active', left: 0 });
    expect(r.memory.ackedBatches.has('b1')).toBe(true);

    r.ssm.fail = () => undefined;
    expect(await r.service.tick()).toEqual({ ...NOTHING, completed: 1 });
    expect(r.ssm.deleted).toEqual(['act-b1']);
    expect(r.memory.batch('b1').state).toBe('completed');
    // nothing was left to verify: SSM's node list was read once
    expect(r.ssm.describes).toBe(1);
  });
});

describe("ReconcileService: a batch at its activation's expiry", () => {
  it('is left alone before its expiry', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1'], { expiresAt: r.clock.now + 1 });
    expect(await r.service.tick()).toEqual(NOTHING);
    expect(r.memory.batch('b1').state).toBe('active');
    expect(r.ssm.deleted).toEqual([]);
  });

  it('registers what did register in time, deletes the activation, clears the others\' credentials and re-batches them', async () => {
    const r = rig({ maxRebatches: 2 });
    r.deliveredBatch('b1', ['SN-1', 'SN-2', 'SN-3'], { expiresAt: r.clock.now });
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.memory.ack('SN-3', node(3), r.clock.now);
    // SSM lists SN-1's node from its second read on: the expiry's own verification finds it, not the pass before
    r.ssm.during = () => {
      if (r.ssm.describes === 1) return;
      r.ssm.register('act-b1', node(1));
      r.ssm.during = undefined;
    };
    expect(await r.service.tick()).toMatchObject({ expired: 1 });
    expect(r.states('SN-1', 'SN-2', 'SN-3')).toEqual(['registered', 'accepted', 'accepted']);
    for (const id of ['SN-2', 'SN-3']) expect(r.memory.device(id)).toMatchObject({ batchId: null, activationId: null, deliveryId: null, managedNodeId: null, rebatches: 1 });
    expect(r.memory.buffers.get('plant-1')).toEqual(['SN-2', 'SN-3']);
    expect(r.ssm.deleted).toEqual(['act-b1']);
    expect(r.publisher.cleared).toEqual([topicOf('SN-1'), topicOf('SN-2'), topicOf('SN-3')]);
    expect(r.memory.batch('b1')).toMatchObject({ state: 'expired', left: 0, registered: 1, strays: 0 });
    const text = await r.metricsText();
    expect(text).toContain('fleet_devices_rebatched_total 2');
    expect(text).toContain('fleet_batches_finished_total{state="expired"} 1');
  });

  it('past the re-batch bound a device fails, with a reason a person can act on', async () => {
    const r = rig({ maxRebatches: 1 });
    r.deliveredBatch('b1', ['SN-1', 'SN-2'], { expiresAt: r.clock.now });
    r.memory.device('SN-1').rebatches = 1;
    expect(await r.service.tick()).toMatchObject({ expired: 1 });
    expect(r.states('SN-1', 'SN-2')).toEqual(['failed', 'accepted']);
    expect(r.memory.device('SN-1').error).toBe(
      'activation expired 2 time(s) before the device registered: check that the device is online, subscribed to its credentials topic and able to reach SSM, then retry it',
    );
    expect(r.memory.buffers.get('plant-1')).toEqual(['SN-2']);
  });

  it('re-batches with its site\'s window and batch size', async () => {
    const r = rig({ maxRebatches: 3 });
    r.deliveredBatch('b1', ['SN-1'], { expiresAt: r.clock.now });
    await r.service.tick();
    expect(r.batches.expireInputs).toEqual([{ maxRebatches: 3, batchWindowMs: SITE.batchWindowMs, maxBatchSize: SITE.maxBatchSize, reason: expect.stringContaining('4 time(s)') }]);
  });

  it('counts strays: nodes SSM lists for the activation that no device of the batch claims', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1', 'SN-2'], { expiresAt: r.clock.now });
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.ssm.register('act-b1', node(1), node(7), node(8));
    expect(await r.service.tick()).toMatchObject({ registered: 1, expired: 1 });
    expect(r.memory.batch('b1').strays).toBe(2);
    expect(await r.metricsText()).toContain('fleet_stray_registrations_total 2');
  });

  it('counts strays with no ack at all (the node list is read for them)', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1'], { expiresAt: r.clock.now });
    r.ssm.register('act-b1', node(7));
    expect(await r.service.tick()).toMatchObject({ expired: 1 });
    expect(r.memory.batch('b1').strays).toBe(1);
    expect(r.states('SN-1')).toEqual(['accepted']);
  });

  it('completes instead when its last devices turn out registered at expiry', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1'], { expiresAt: r.clock.now });
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.memory.ackedBatches.delete('b1');
    r.ssm.register('act-b1', node(1));
    expect(await r.service.tick()).toMatchObject({ expired: 0 });
    expect(r.memory.batch('b1').state).toBe('completed');
    expect(r.states('SN-1')).toEqual(['registered']);
    expect(r.memory.buffers.size).toBe(0);
    expect(r.ssm.deleted).toEqual(['act-b1']);
  });

  it('a failed delete leaves the batch active and its devices where they are, for the next pass', async () => {
    const r = rig();
    r.deliveredBatch('b1', ['SN-1'], { expiresAt: r.clock.now });
    r.ssm.fail = (call) => (call === 'delete' ? unavailable('DeleteActivation') : undefined);
    expect(await r.service.tick()).toMatchObject({ expired: 0 });
    expect(r.memory.batch('b1').state).toBe('active');
    expect(r.states('SN-1')).toEqual(['delivered']);
    r.ssm.fail = () => undefined;
    expect(await r.service.tick()).toMatchObject({ expired: 1 });
    expect(r.states('SN-1')).toEqual(['accepted']);
  });
});

describe('ReconcileService: re-driving batches', () => {
  it('gives an open or creating batch its activation job again once it has been still for stuckAfterMs', async () => {
    const r = rig();
    const t = r.clock.now;
    for (const [id, state, at] of [
      ['b-open-old', 'open', t - STUCK_MS],
      ['b-creating-old', 'creating', t - STUCK_MS - 1],
      ['b-open-new', 'open', t - STUCK_MS + 1],
    ] as const) {
      r.memory.addActiveBatch(id, [], { state, updatedAt: at });
    }
    expect(await r.service.tick()).toEqual({ ...NOTHING, redriven: 2 });
    expect(r.jobs.activation).toEqual(['b-open-old', 'b-creating-old']);
  });

  it('gives an active batch never delivered its delivery job after stuckAfterMs', async () => {
    const r = rig();
    r.deliveredBatch('b-old', ['SN-1'], { deliveredAt: null, activatedAt: r.clock.now - STUCK_MS });
    r.deliveredBatch('b-new', ['SN-2'], { deliveredAt: null, activatedAt: r.clock.now - STUCK_MS + 1 });
    expect(await r.service.tick()).toEqual({ ...NOTHING, redriven: 1 });
    expect(r.jobs.delivery).toEqual(['b-old']);
  });

  it('redelivers to devices still silent redeliverAfterMs after the last delivery; not to a batch with none left', async () => {
    const r = rig();
    const quietSince = r.clock.now - REDELIVER_MS;
    r.deliveredBatch('b-quiet', ['SN-1'], { deliveredAt: quietSince });
    r.deliveredBatch('b-recent', ['SN-2'], { deliveredAt: quietSince + 1 });
    r.deliveredBatch('b-done', ['SN-3'], { deliveredAt: quietSince, left: 0 });
    expect(await r.service.tick()).toEqual({ ...NOTHING, redriven: 1 });
    expect(r.jobs.redelivery).toEqual([['b-quiet', quietSince]]);
  });

  it('waits twice as long before each further redelivery round of a batch, at most REDELIVERY_MAX_FACTOR times redeliverAfterMs', async () => {
    const r = rig();
    const now = r.clock.now;
    // after 1 round: 2x; after 2: 4x; after 5: capped at 8x
    r.deliveredBatch('b-1-due', ['SN-1'], { deliveredAt: now - 2 * REDELIVER_MS, redeliveries: 1 });
    r.deliveredBatch('b-1-early', ['SN-2'], { deliveredAt: now - 2 * REDELIVER_MS + 1, redeliveries: 1 });
    r.deliveredBatch('b-2-early', ['SN-3'], { deliveredAt: now - 2 * REDELIVER_MS, redeliveries: 2 });
    r.deliveredBatch('b-5-due', ['SN-4'], { deliveredAt: now - REDELIVERY_MAX_FACTOR * REDELIVER_MS, redeliveries: 5 });
    r.deliveredBatch('b-5-early', ['SN-5'], { deliveredAt: now - REDELIVERY_MAX_FACTOR * REDELIVER_MS + 1, redeliveries: 5 });
    expect(await r.service.tick()).toEqual({ ...NOTHING, redriven: 2 });
    expect(r.jobs.redelivery).toEqual([
      ['b-1-due', now - 2 * REDELIVER_MS],
      ['b-5-due', now - REDELIVERY_MAX_FACTOR * REDELIVER_MS],
    ]);
  });

  it("republishes a batch's retained credentials to all its devices before AWS IoT's cap would drop them", async () => {
    const r = rig({ retainedExpiryCapSeconds: 100 });
    // half the cap since the last publish, and the activation outlives the cap
    r.deliveredBatch('b1', ['SN-1'], { deliveredAt: r.clock.now - 50_000 });
    r.deliveredBatch('b2', ['SN-2'], { deliveredAt: r.clock.now - 49_999 });
    expect(await r.service.tick()).toEqual({ ...NOTHING, redriven: 1 });
    expect(r.jobs.redelivery).toEqual([['b1', r.clock.now]]);
  });

  it('re-drives blocked batches while their Region has room, sharing the room among them; a Region without a quota always has room', async () => {
    const r = rig({ quota: { 'us-east-1': 100 } });
    r.memory.quota.set('us-east-1', 40);
    r.memory.addActiveBatch('b-50', [], { state: 'blocked', size: 50 });
    r.memory.addActiveBatch('b-20', [], { state: 'blocked', size: 20 });
    r.memory.addActiveBatch('b-10', [], { state: 'blocked', size: 10 });
    r.memory.addActiveBatch('b-eu', [], { state: 'blocked', size: 5_000, region: 'eu-west-1' });
    expect(await r.service.tick()).toEqual({ ...NOTHING, redriven: 3 });
    // 60 free: 50 fits, then 20 does not, then 10 does
    expect(r.jobs.activation).toEqual(['b-50', 'b-10', 'b-eu']);
  });
});

describe('ReconcileService: the leader lease', () => {
  it('does nothing without the lease', async () => {
    const r = rig({ leaseGrants: 0 });
    r.deliveredBatch('b1', ['SN-1'], { expiresAt: r.clock.now });
    r.memory.ack('SN-1', node(1), r.clock.now);
    r.memory.addActiveBatch('b2', [], { state: 'open', updatedAt: 0 });
    expect(await r.service.tick()).toEqual({ ...NOTHING, leader: false });
    expect(r.ssm.describes).toBe(0);
    expect(r.ssm.deleted).toEqual([]);
    expect(r.jobs.activation).toEqual([]);
  });

  it.each([
    ['an expired batch and a stuck one', true],
    ['a stuck batch', false],
  ])('stops as soon as it loses the lease mid-pass: no further batch verified, nothing expired or re-driven (with %s)', async (_, withExpired) => {
    // the pass's hold, then b1's; b2's is refused
    const r = rig({ leaseGrants: 2 });
    for (const [i, id] of ['b1', 'b2', 'b3'].entries()) {
      r.deliveredBatch(id, [`SN-${id}`]);
      r.memory.ack(`SN-${id}`, node(i), r.clock.now);
      r.ssm.register(`act-${id}`, node(i));
    }
    if (withExpired) r.deliveredBatch('b-exp', ['SN-x'], { expiresAt: r.clock.now });
    r.memory.addActiveBatch('b-open', [], { state: 'open', updatedAt: 0 });
    expect(await r.service.tick()).toEqual({ ...NOTHING, registered: 1, completed: 1 });
    expect(r.states('SN-b1', 'SN-b2', 'SN-b3')).toEqual(['registered', 'acked', 'acked']);
    if (withExpired) expect(r.memory.batch('b-exp').state).toBe('active');
    expect(r.jobs.activation).toEqual([]);
  });
});
