/**
 * ActivationService's CreateActivation retry policy with in-memory fakes (batch store, SSM, jobs, lease, clock):
 * the attempt limit and its "gave up after N attempts", the orphan clean-up before every attempt and after the
 * last one, throttled / transient / permanent outcomes, fenced attempts (batch lease, attempt record, activation
 * record), the node quota, and SSM's read-after-write delay.
 * The fake SSM counts, per DefaultInstanceName, the most activations live at once, as the emulator does.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AesGcmCodeCipher } from '../../../src/adapters/code-cipher.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import type { ActivationSummary, CreatedActivation, SsmActivations } from '../../../src/adapters/ssm-activations.js';
import type { RetryPolicy } from '../../../src/config.js';
import { defaultInstanceNameFor } from '../../../src/domain/activation-request.js';
import type { BatchState } from '../../../src/domain/batch-state.js';
import { AwsCallError } from '../../../src/domain/errors.js';
import type { Site, SitesConfig } from '../../../src/domain/site.js';
import type { ActivatedInput, BatchStore } from '../../../src/redis/batch-store.js';
import type { Lease } from '../../../src/redis/lease.js';
import type { BatchRecord } from '../../../src/redis/records.js';
import { ActivationService, type ActivationDeps, type ActivationOutcome } from '../../../src/services/activation-service.js';

const SITE: Site = { id: 'plant-1', region: 'us-east-1', iamRole: 'EdgeSSMRole', maxBatchSize: 100, batchWindowMs: 1_000, activationTtlHours: 24, tags: {} };
const BATCH = 'b-plant-1-1';
const NAME = defaultInstanceNameFor(BATCH);

/** the Lua scripts' rules for one batch, in memory */
class FakeBatches {
  state: BatchState = 'open';
  attempts = 0;
  throttles = 0;
  activation: ActivatedInput | null = null;
  error: string | null = null;
  quotaRoom = true;
  /** called when the quota is reserved (to change the batch before its attempt is recorded) */
  onReserve: (() => void) | undefined;
  readonly size = 7;
  deliveredAt: number | null = null;
  reservedWith: unknown[] = [];

  async get(batchId: string): Promise<BatchRecord | null> {
    if (batchId !== BATCH) return null;
    return { batchId, siteId: SITE.id, state: this.state, region: SITE.region, size: this.size, attempts: this.attempts, deliveredAt: this.deliveredAt } as unknown as BatchRecord;
  }
  async reserveQuota(...args: unknown[]): Promise<boolean> {
    this.reservedWith.push(args);
    this.onReserve?.();
    if (!this.quotaRoom) this.state = 'blocked';
    return this.quotaRoom;
  }
  async beginAttempt(): Promise<number> {
    if (this.state !== 'open' && this.state !== 'creating' && this.state !== 'blocked') return 0;
    this.state = 'creating';
    return ++this.attempts;
  }
  async throttled(): Promise<number> {
    if (this.attempts > 0) this.attempts--;
    return ++this.throttles;
  }
  async activated(_batchId: string, input: ActivatedInput): Promise<number> {
    // fenced: only the batch's latest attempt may record its activation
    if (this.state !== 'creating' || input.attempt !== this.attempts) return -1;
    this.state = 'active';
    this.activation = input;
    return this.size;
  }
  async fail(_batchId: string, reason: string): Promise<number> {
    if (this.state !== 'open' && this.state !== 'creating' && this.state !== 'blocked') return -1;
    this.state = 'failed';
    this.error = reason;
    return this.size;
  }
}

type Answer = 'ok' | 'lost' | 'throttle' | 'error' | 'permanent';

interface FakeActivation {
  readonly id: string;
  readonly name: string;
  readonly code: string;
  readonly createdAt: number;
  live: boolean;
}

/** SSM: each create answers as scripted; a lost answer creates the activation and then fails like a dropped connection */
class FakeSsm implements SsmActivations {
  readonly all: FakeActivation[] = [];
  readonly maxLive = new Map<string, number>();
  creates = 0;
  /** called during a create, after the activation exists (to change the batch meanwhile) */
  during: (() => Promise<void>) | undefined;

  constructor(
    private readonly answers: Answer[],
    private readonly now: () => number,
    /** read-after-write delay of DescribeActivations */
    private readonly readDelayMs = 0,
  ) {}

  async create(_region: string, request: { DefaultInstanceName: string }): Promise<CreatedActivation> {
    const answer = this.answers[this.creates++] ?? 'ok';
    if (answer === 'throttle') throw new AwsCallError('AWS_THROTTLED', 'CreateActivation', 'ThrottlingException', 'Rate exceeded', 400);
    if (answer === 'error') throw new AwsCallError('AWS_TRANSIENT', 'CreateActivation', 'InternalServerError', 'try again', 500);
    if (answer === 'permanent') throw new AwsCallError('AWS_PERMANENT', 'CreateActivation', 'InvalidParameters', 'IamRole is not valid', 400);
    const a = this.add(request.DefaultInstanceName);
    await this.during?.();
    if (answer === 'lost') throw new AwsCallError('AWS_TRANSIENT', 'CreateActivation', 'TimeoutError', 'socket hang up', undefined);
    return { activationId: a.id, activationCode: a.code };
  }

  add(name: string): FakeActivation {
    const a = { id: `00000000-0000-4000-8000-${String(this.all.length).padStart(12, '0')}`, name, code: `code-${this.all.length}-abcdefghijklmnop`, createdAt: this.now(), live: true };
    this.all.push(a);
    const live = this.all.filter((x) => x.live && x.name === name).length;
    this.maxLive.set(name, Math.max(live, this.maxLive.get(name) ?? 0));
    return a;
  }

  async findByDefaultInstanceName(_region: string, name: string): Promise<ActivationSummary[]> {
    const visibleFrom = this.now() - this.readDelayMs;
    return this.all
      .filter((a) => a.live && a.name === name && a.createdAt <= visibleFrom)
      .map((a) => ({ activationId: a.id, defaultInstanceName: a.name, registrationsCount: 0, expired: false }));
  }

  async delete(_region: string, id: string): Promise<boolean> {
    const a = this.all.find((x) => x.id === id && x.live);
    if (!a) return false;
    a.live = false;
    return true;
  }

  get live(): FakeActivation[] {
    return this.all.filter((a) => a.live);
  }

  nodesOf = async (): Promise<never[]> => [];
  tagNode = async (): Promise<void> => undefined;
  ping = async (): Promise<void> => undefined;
}

interface Rig {
  readonly service: ActivationService;
  readonly batches: FakeBatches;
  readonly ssm: FakeSsm;
  readonly cipher: AesGcmCodeCipher;
  readonly metrics: Metrics;
  readonly deliveries: string[];
  /** every wait the service did itself (ms) */
  readonly slept: number[];
  readonly clock: { now: number };
  /** the batch lease: `free` false = another worker holds it */
  readonly lease: { free: boolean; releases: number };
  /** runs the job as BullMQ would: again after each `retry` delay, until another outcome */
  drive(maxRuns?: number): Promise<ActivationOutcome[]>;
}

function rig(answers: Answer[], retry: Partial<RetryPolicy> = {}, readDelayMs = 0, over: Partial<ActivationDeps> = {}): Rig {
  const clock = { now: 1_000_000 };
  const batches = new FakeBatches();
  const ssm = new FakeSsm(answers, () => clock.now, readDelayMs);
  const cipher = new AesGcmCodeCipher(Buffer.alloc(32, 9));
  const metrics = new Metrics();
  const deliveries: string[] = [];
  const slept: number[] = [];
  const lease = { free: true, releases: 0 };
  const sites: SitesConfig = { sites: new Map([[SITE.id, SITE]]), regions: new Map(), defaultNodeQuota: null };
  const service = new ActivationService({
    sites,
    batches: batches as unknown as BatchStore,
    ssm,
    cipher,
    jobs: { addDelivery: async (id: string) => void deliveries.push(id) } as never,
    lease: () => ({ hold: async () => lease.free, release: async () => void lease.releases++ }) as unknown as Lease,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, readAfterWriteMs: 0, ...retry },
    nodeQuota: { limit: async () => null },
    metrics,
    logger: pino({ level: 'silent' }),
    clock: () => clock.now,
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
      clock.now += ms;
    },
    ...over,
  });
  return {
    service,
    batches,
    ssm,
    cipher,
    metrics,
    deliveries,
    slept,
    clock,
    lease,
    async drive(maxRuns = 50) {
      const outcomes: ActivationOutcome[] = [];
      for (let run = 0; run < maxRuns; run++) {
        const outcome = await service.activate(BATCH);
        outcomes.push(outcome);
        if (outcome.kind !== 'retry') return outcomes;
        clock.now += outcome.delayMs;
      }
      throw new Error(`still retrying after ${maxRuns} runs`);
    },
  };
}

const counter = async (m: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> => (await m.get()).values[0]?.value ?? 0;

describe('ActivationService: CreateActivation retry policy', () => {
  it('activates in one call: the sealed code opens with the key to the code, and delivery is queued', async () => {
    const r = rig(['ok']);
    const [outcome] = await r.drive();
    expect(outcome).toEqual({ kind: 'activated', activationId: r.ssm.all[0]!.id, devices: 7 });
    expect(r.batches.state).toBe('active');
    expect(r.batches.activation).toMatchObject({ activationId: r.ssm.all[0]!.id, attempt: 1 });
    expect(r.batches.activation!.sealedCode).not.toContain(r.ssm.all[0]!.code);
    expect(r.cipher.open(r.batches.activation!.sealedCode, BATCH)).toBe(r.ssm.all[0]!.code);
    expect(r.deliveries).toEqual([BATCH]);
    expect(r.ssm.creates).toBe(1);
  });

  it('stops at the attempt limit: the batch fails with "gave up after N attempts" and the AWS message', async () => {
    const r = rig(['error', 'error', 'error', 'ok'], { maxAttempts: 3 });
    const outcomes = await r.drive();
    expect(outcomes.map((o) => o.kind)).toEqual(['retry', 'retry', 'failed']);
    expect(outcomes.at(-1)).toEqual({ kind: 'failed', reason: 'gave up after 3 attempts: CreateActivation failed: InternalServerError: try again' });
    expect(r.batches).toMatchObject({ state: 'failed', attempts: 3, error: 'gave up after 3 attempts: CreateActivation failed: InternalServerError: try again' });
    expect(r.ssm.creates).toBe(3);
    expect(r.deliveries).toEqual([]);
    expect(await counter(r.metrics.activationRetries)).toBe(2);
  });

  it('backs off with full jitter between attempts, bounded by maxDelayMs', async () => {
    const r = rig(['error', 'error', 'error', 'error', 'error', 'ok'], { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 1_000 });
    const outcomes = await r.drive();
    // random 0.5 of base·2^(attempt−1), capped: 50, 100, 200, 400, 500
    expect(outcomes.filter((o) => o.kind === 'retry').map((o) => (o as { delayMs: number }).delayMs)).toEqual([50, 100, 200, 400, 500]);
    expect(outcomes.at(-1)!.kind).toBe('activated');
  });

  it('deletes the orphan of a lost answer before the next attempt: never two live activations for the batch', async () => {
    const r = rig(['lost', 'lost', 'ok'], { maxAttempts: 5 });
    const outcomes = await r.drive();
    expect(outcomes.map((o) => o.kind)).toEqual(['retry', 'retry', 'activated']);
    expect(r.ssm.all).toHaveLength(3);
    expect(r.ssm.live.map((a) => a.id)).toEqual([r.ssm.all[2]!.id]);
    expect(r.batches.activation!.activationId).toBe(r.ssm.all[2]!.id);
    expect(r.ssm.maxLive.get(NAME)).toBe(1);
    expect(await counter(r.metrics.orphansDeleted)).toBe(2);
  });

  it('after the last attempt, deletes that attempt\'s orphan too: a failed batch leaves no usable activation', async () => {
    const r = rig(['lost', 'lost', 'lost'], { maxAttempts: 3 });
    const outcomes = await r.drive();
    expect(outcomes.at(-1)).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/^gave up after 3 attempts: .*TimeoutError/) });
    expect(r.ssm.all).toHaveLength(3);
    expect(r.ssm.live).toEqual([]);
    expect(r.ssm.maxLive.get(NAME)).toBe(1);
    expect(await counter(r.metrics.orphansDeleted)).toBe(3);
  });

  it('finds an activation an earlier, unrecorded attempt left (Redis lost the record) before the first call', async () => {
    const r = rig(['ok']);
    r.ssm.add(NAME);
    r.clock.now += 1;
    await r.drive();
    expect(r.ssm.live.map((a) => a.id)).toEqual([r.ssm.all[1]!.id]);
    // deleted before the new one was created: never two at once
    expect(r.ssm.maxLive.get(NAME)).toBe(1);
    expect(await counter(r.metrics.orphansDeleted)).toBe(1);
  });

  it('throttling delays without using an attempt, however often it comes', async () => {
    const r = rig(['throttle', 'throttle', 'throttle', 'throttle', 'throttle', 'ok'], { maxAttempts: 1 });
    const outcomes = await r.drive();
    expect(outcomes.map((o) => o.kind)).toEqual(['retry', 'retry', 'retry', 'retry', 'retry', 'activated']);
    for (const o of outcomes.slice(0, 5)) expect((o as { delayMs: number }).delayMs).toBeGreaterThanOrEqual(100);
    expect(r.batches.activation!.attempt).toBe(1);
    expect(r.batches.throttles).toBe(5);
    expect(await counter(r.metrics.activationThrottles)).toBe(5);
  });

  it('a permanent error fails the batch at once with the AWS message, without a retry', async () => {
    const r = rig(['permanent', 'ok'], { maxAttempts: 5 });
    const outcomes = await r.drive();
    expect(outcomes).toEqual([{ kind: 'failed', reason: 'CreateActivation failed: InvalidParameters: IamRole is not valid' }]);
    expect(r.ssm.creates).toBe(1);
    expect(r.batches.state).toBe('failed');
  });

  it('fences a stale attempt: if the batch moved on during the call, its activation is deleted, not recorded', async () => {
    const r = rig(['ok']);
    // another worker began a newer attempt while this call was out (its lease had run out)
    r.ssm.during = async () => void (await r.batches.beginAttempt());
    const [outcome] = await r.drive();
    expect(outcome).toEqual({ kind: 'skipped', why: 'batch changed during the call; activation deleted' });
    expect(r.ssm.live).toEqual([]);
    expect(r.batches.activation).toBeNull();
    expect(r.deliveries).toEqual([]);
  });

  it('a permanent error after transient ones fails the batch at once with its own message, not "gave up"', async () => {
    const r = rig(['error', 'permanent', 'ok'], { maxAttempts: 5 });
    const outcomes = await r.drive();
    expect(outcomes.map((o) => o.kind)).toEqual(['retry', 'failed']);
    expect(outcomes.at(-1)).toEqual({ kind: 'failed', reason: 'CreateActivation failed: InvalidParameters: IamRole is not valid' });
    expect(r.batches).toMatchObject({ state: 'failed', attempts: 2 });
    expect(r.ssm.creates).toBe(2);
  });

  it('fences a second worker with the batch lease: it looks again shortly, without a call or an attempt', async () => {
    const r = rig(['ok']);
    r.lease.free = false;
    expect(await r.service.activate(BATCH)).toEqual({ kind: 'retry', delayMs: 2_000, why: 'batch held by another worker' });
    expect(r.ssm.creates).toBe(0);
    expect(r.batches).toMatchObject({ state: 'open', attempts: 0 });
  });

  it('fences at the attempt record: a batch that moved on after it was read is skipped without a call', async () => {
    const r = rig(['ok']);
    // failed (or re-driven elsewhere) between the read and the attempt
    r.batches.onReserve = () => void (r.batches.state = 'failed');
    expect(await r.service.activate(BATCH)).toEqual({ kind: 'skipped', why: 'batch moved on' });
    expect(r.ssm.creates).toBe(0);
    expect(r.lease.releases).toBe(1);
  });

  it('no room in the Region\'s node quota: blocked, without an attempt or a call', async () => {
    const r = rig(['ok']);
    r.batches.quotaRoom = false;
    expect(await r.service.activate(BATCH)).toEqual({ kind: 'blocked' });
    expect(r.batches).toMatchObject({ state: 'blocked', attempts: 0 });
    expect(r.ssm.creates).toBe(0);
    expect(await counter(r.metrics.quotaBlocked)).toBe(1);
    expect(r.lease.releases).toBe(1);
  });

  it('a failure that is not an AWS answer goes to BullMQ\'s own retries, the batch lease released', async () => {
    const r = rig(['ok']);
    r.ssm.during = async () => {
      throw new Error('Connection is closed.');
    };
    await expect(r.service.activate(BATCH)).rejects.toThrow('Connection is closed.');
    expect(r.batches.state).toBe('creating');
    expect(r.lease.releases).toBe(1);
    // the next run deletes what that call created before its own
    r.ssm.during = undefined;
    expect((await r.drive()).map((o) => o.kind)).toEqual(['activated']);
    expect(r.ssm.maxLive.get(NAME)).toBe(1);
  });

  it('skips a batch that already ended; re-queues delivery for an active one not yet delivered', async () => {
    const r = rig(['ok']);
    r.batches.state = 'completed';
    expect(await r.service.activate(BATCH)).toEqual({ kind: 'skipped', why: 'batch is completed' });
    r.batches.state = 'active';
    expect(await r.service.activate(BATCH)).toEqual({ kind: 'skipped', why: 'already active' });
    expect(r.deliveries).toEqual([BATCH]);
    expect(r.ssm.creates).toBe(0);
  });
});

describe('ActivationService under SSM read-after-write delay', () => {
  const DELAY = 2_000;

  it('waits the delay out before the next attempt, so a late orphan is still found and deleted first', async () => {
    const r = rig(['lost', 'ok'], { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 20, readAfterWriteMs: DELAY }, DELAY);
    const outcomes = await r.drive();
    expect(outcomes[0]).toMatchObject({ kind: 'retry', delayMs: DELAY });
    expect(outcomes.at(-1)!.kind).toBe('activated');
    expect(r.ssm.maxLive.get(NAME)).toBe(1);
    expect(r.ssm.live).toHaveLength(1);
    expect(await counter(r.metrics.orphansDeleted)).toBe(1);
  });

  it('waits the delay out before the last clean-up, so the last attempt\'s orphan is deleted too', async () => {
    const r = rig(['lost'], { maxAttempts: 1, readAfterWriteMs: DELAY }, DELAY);
    const outcomes = await r.drive();
    expect(outcomes.at(-1)!.kind).toBe('failed');
    expect(r.slept).toEqual([DELAY]);
    expect(r.ssm.live).toEqual([]);
  });

  it('is needed: with no allowance for the delay the lookup misses the orphan (what the fake SSM models)', async () => {
    const r = rig(['lost', 'ok'], { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 20, readAfterWriteMs: 0 }, DELAY);
    await r.drive();
    expect(r.ssm.maxLive.get(NAME)).toBe(2);
  });
});

describe('ActivationService: what it does before it calls CreateActivation', () => {
  it('skips an unknown batch; does not re-queue delivery for an active batch already delivered', async () => {
    const r = rig(['ok']);
    expect(await r.service.activate('b-nope')).toEqual({ kind: 'skipped', why: 'no such batch' });
    r.batches.state = 'active';
    r.batches.deliveredAt = 5;
    expect(await r.service.activate(BATCH)).toEqual({ kind: 'skipped', why: 'already active' });
    expect(r.deliveries).toEqual([]);
  });

  it('activates a blocked batch once the quota has room (blocked is a state it may leave)', async () => {
    const r = rig(['ok']);
    r.batches.state = 'blocked';
    expect((await r.service.activate(BATCH)).kind).toBe('activated');
  });

  it('fails a batch whose site is no longer configured, and counts it finished as failed', async () => {
    const r = rig(['ok'], {}, 0, { sites: { sites: new Map(), regions: new Map(), defaultNodeQuota: null } });
    const reason = 'site "plant-1" is no longer configured; configure it and retry the batch';
    expect(await r.service.activate(BATCH)).toEqual({ kind: 'failed', reason });
    expect(r.batches).toMatchObject({ state: 'failed', error: reason });
    expect(r.ssm.creates).toBe(0);
    expect((await r.metrics.batchesFinished.get()).values).toEqual([expect.objectContaining({ labels: { state: 'failed' }, value: 1 })]);
  });

  it('counts no finished batch when the fail came too late (the batch had moved on)', async () => {
    const r = rig(['permanent']);
    r.batches.fail = async () => -1;
    expect((await r.service.activate(BATCH)).kind).toBe('failed');
    expect(await counter(r.metrics.batchesFinished)).toBe(0);
  });

  it('looks again in 2 s when another worker holds the batch’s lease, calling nothing; the lease is named after the batch', async () => {
    const names: string[] = [];
    const r = rig(['ok'], {}, 0, { lease: (name) => (names.push(name), { hold: async () => false, release: async () => undefined }) as unknown as Lease });
    expect(await r.service.activate(BATCH)).toEqual({ kind: 'retry', delayMs: 2_000, why: 'batch held by another worker' });
    expect(names).toEqual([`batch:${BATCH}`]);
    expect(r.ssm.creates).toBe(0);
    expect(r.batches.attempts).toBe(0);
  });

  it('releases the lease after every outcome, and a failing release changes nothing', async () => {
    let released = 0;
    const lease = { hold: async () => true, release: async () => void released++ } as unknown as Lease;
    const r = rig(['error', 'ok'], { maxAttempts: 3 }, 0, { lease: () => lease });
    await r.drive();
    expect(released).toBe(2);
    const failing = rig(['ok'], {}, 0, { lease: () => ({ hold: async () => true, release: async () => Promise.reject(new Error('redis gone')) }) as unknown as Lease });
    expect((await failing.service.activate(BATCH)).kind).toBe('activated');
  });

  it('blocks the batch when the Region’s quota has no room: no attempt, no call, counted', async () => {
    const r = rig(['ok'], {}, 0, { nodeQuota: { limit: async (region: string) => (region === 'us-east-1' ? 40 : 0) } });
    r.batches.quotaRoom = false;
    expect(await r.service.activate(BATCH)).toEqual({ kind: 'blocked' });
    expect(r.batches.reservedWith).toEqual([[BATCH, 40, r.clock.now]]);
    expect(r.batches.attempts).toBe(0);
    expect(r.ssm.creates).toBe(0);
    expect(await counter(r.metrics.quotaBlocked)).toBe(1);
  });

  it('skips a batch that moved on between the read and the attempt (beginAttempt says 0)', async () => {
    const r = rig(['ok']);
    r.batches.beginAttempt = async () => 0;
    expect(await r.service.activate(BATCH)).toEqual({ kind: 'skipped', why: 'batch moved on' });
    expect(r.ssm.creates).toBe(0);
  });
});

describe('ActivationService: errors', () => {
  it('throttle delays grow with the batch’s throttle count: full jitter from base, at least 100 ms', async () => {
    const r = rig(['throttle', 'throttle', 'throttle', 'throttle', 'throttle', 'ok'], { maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 1_000 });
    const outcomes = await r.drive();
    // random 0.5 of 100·2^(throttles−1), capped at 1,000, floored at 100: 50→100, 100, 200, 400, 500
    expect(outcomes.slice(0, 5).map((o) => (o as { delayMs: number }).delayMs)).toEqual([100, 100, 200, 400, 500]);
    expect(outcomes[0]).toMatchObject({ why: 'CreateActivation failed: ThrottlingException: Rate exceeded' });
  });

  it('the throttle exponent stops at 10: a long-throttled batch waits base·2^10 at most', async () => {
    const r = rig(['throttle', 'ok'], { maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 10_000_000 });
    r.batches.throttles = 20;
    const [first] = await r.drive();
    expect(first).toMatchObject({ kind: 'retry', delayMs: 51_200 });
  });

  it('a non-AWS error (Redis, a bug) is thrown for the job runner, not turned into a failed batch', async () => {
    const r = rig(['ok']);
    r.batches.activated = async () => Promise.reject(new Error('redis: connection lost'));
    await expect(r.service.activate(BATCH)).rejects.toThrow('redis: connection lost');
    expect(r.batches.state).not.toBe('failed');
  });

  it('a failing clean-up after the last attempt still fails the batch with the AWS reason', async () => {
    const r = rig(['error'], { maxAttempts: 1 });
    r.ssm.findByDefaultInstanceName = async () => (r.ssm.creates > 0 ? Promise.reject(new Error('describe failed')) : []);
    const [outcome] = await r.drive();
    expect(outcome).toEqual({ kind: 'failed', reason: 'gave up after 1 attempts: CreateActivation failed: InternalServerError: try again' });
  });

  it('counts a finished batch only for a fail that the store took (devices ≥ 0)', async () => {
    const r = rig(['permanent']);
    r.batches.fail = async () => 0;
    await r.service.activate(BATCH);
    expect(await counter(r.metrics.batchesFinished)).toBe(1);
  });

  it('a batch none of whose devices is left still records its activation (0 is a count, only a negative answer is stale)', async () => {
    const r = rig(['ok']);
    r.batches.activated = async () => 0;
    expect(await r.service.activate(BATCH)).toEqual({ kind: 'activated', activationId: r.ssm.all[0]!.id, devices: 0 });
    expect(r.ssm.live).toHaveLength(1);
    expect(r.deliveries).toEqual([BATCH]);
  });
});

