/** EnrollmentService beyond enroll: the intake job, the device / site / batch views and re-driving failed devices, over in-memory stores. */
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/adapters/metrics.js';
import type { DeviceState } from '../../../src/domain/device-state.js';
import { ValidationError } from '../../../src/domain/errors.js';
import type { OnboardingEvent } from '../../../src/domain/onboarding-event.js';
import type { Site } from '../../../src/domain/site.js';
import type { BatchStore } from '../../../src/redis/batch-store.js';
import type { BufferPolicy, DeviceHistoryEntry, DeviceStore, IntakeCounts, IntakeEvent } from '../../../src/redis/device-store.js';
import type { BatchRecord, DeviceRecord } from '../../../src/redis/records.js';
import type { SiteBufferStore } from '../../../src/redis/site-buffer-store.js';
import { EnrollmentService, removedSiteReason } from '../../../src/services/enrollment-service.js';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const site = (id: string, maxBatchSize = 10): Site => ({ id, region: 'us-east-1', iamRole: 'R', maxBatchSize, batchWindowMs: 100, activationTtlHours: 24, tags: {} });

const device = (deviceId: string, siteId: string, state: DeviceState, batchId: string | null): DeviceRecord => ({
  deviceId,
  state,
  siteId,
  thingName: deviceId,
  attributes: {},
  batchId,
  activationId: null,
  deliveryId: null,
  managedNodeId: null,
  error: state === 'failed' ? 'boom' : null,
  rebatches: 0,
  times: { accepted: NOW - 1000 },
  updatedAt: NOW,
  tagState: null,
  taggedAt: null,
});

const batch = (batchId: string, siteId: string): BatchRecord => ({
  batchId,
  siteId,
  state: 'failed',
  region: 'us-east-1',
  size: 3,
  left: 3,
  registered: 0,
  activationId: null,
  sealedCode: null,
  nonce: null,
  expiresAt: null,
  attempts: 5,
  throttles: 0,
  error: 'CreateActivation failed',
  blockedReason: null,
  strays: 0,
  cutAt: NOW - 5000,
  activatedAt: null,
  deliveredAt: null,
  redeliveries: 0,
  updatedAt: NOW,
});

/** The device-store calls these methods make, over maps; each write call is recorded. */
class FakeDevices {
  readonly records = new Map<string, DeviceRecord>();
  readonly histories = new Map<string, DeviceHistoryEntry[]>();
  readonly failed = new Map<string, string[]>();
  readonly calls: unknown[][] = [];
  intakeAnswer: IntakeCounts = { accepted: 0, duplicates: 0, refused: 0 };

  async intake(jobId: string, events: readonly IntakeEvent[], policyOf: (siteId: string) => BufferPolicy, now: number): Promise<IntakeCounts> {
    this.calls.push(['intake', jobId, events, events.map((e) => policyOf(e.siteId).maxBatchSize), now]);
    return this.intakeAnswer;
  }
  async failForRemovedSite(jobId: string, failed: readonly { event: OnboardingEvent; reason: string }[], now: number): Promise<void> {
    this.calls.push(['failForRemovedSite', jobId, failed, now]);
  }
  async get(id: string): Promise<DeviceRecord | null> {
    return this.records.get(id) ?? null;
  }
  async history(id: string): Promise<DeviceHistoryEntry[]> {
    return this.histories.get(id) ?? [];
  }
  async getMany(ids: readonly string[]): Promise<(DeviceRecord | null)[]> {
    return ids.map((id) => this.records.get(id) ?? null);
  }
  async counts(siteId: string): Promise<Record<DeviceState, number>> {
    return { accepted: siteId.length, batched: 0, activated: 0, delivered: 0, acked: 0, registered: 2, failed: 0 };
  }
  async failedIds(siteId: string): Promise<string[]> {
    return this.failed.get(siteId) ?? [];
  }
  async requeueFailed(siteId: string, ids: readonly string[], policy: BufferPolicy, now: number): Promise<number> {
    this.calls.push(['requeueFailed', siteId, [...ids], policy.maxBatchSize, now]);
    return ids.length;
  }
}

function setup(opts: { buffered?: number; nextCutAt?: number | null; backlog?: boolean } = {}) {
  const devices = new FakeDevices();
  const batches = new Map<string, { record: BatchRecord; ids: string[] }>();
  const metrics = new Metrics();
  const service = new EnrollmentService({
    sites: new Map([
      ['a', site('a', 7)],
      ['b', site('b', 9)],
    ]),
    devices: devices as unknown as DeviceStore,
    batches: {
      get: async (id: string) => batches.get(id)?.record ?? null,
      deviceIds: async (id: string) => batches.get(id)?.ids ?? [],
    } as unknown as BatchStore,
    buffers: {
      buffered: async () => opts.buffered ?? 0,
      nextCutAt: async () => (opts.nextCutAt === undefined ? null : opts.nextCutAt),
    } as unknown as SiteBufferStore,
    jobs: { addIntake: async () => 'job' },
    metrics,
    ...(opts.backlog ? { tagQueue: { backlog: async (siteId: string) => (siteId === 'a' ? 4 : 0) } } : {}),
    clock: () => NOW,
  });
  const addBatch = (record: BatchRecord, ids: string[]): void => void batches.set(record.batchId, { record, ids });
  return { service, devices, metrics, addBatch };
}

const counter = async (m: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> => (await m.get()).values[0]?.value ?? 0;

describe('EnrollmentService.intake', () => {
  it('turns the job tuples back into events (reenroll 1 = true, moveFrom only when set) with each site’s buffer policy and the clock', async () => {
    const { service, devices } = setup();
    await service.intake('job-1', [
      ['D-1', 'a', 'thing-1', { k: 'v' }, 0],
      ['D-2', 'b', 'thing-2', {}, 1, 'a'],
      ['D-3', 'a', 'thing-3', {}, 1, ''],
    ]);
    expect(devices.calls).toEqual([
      [
        'intake',
        'job-1',
        [
          { deviceId: 'D-1', siteId: 'a', thingName: 'thing-1', attributes: { k: 'v' }, reenroll: false },
          { deviceId: 'D-2', siteId: 'b', thingName: 'thing-2', attributes: {}, reenroll: true, moveFrom: 'a' },
          { deviceId: 'D-3', siteId: 'a', thingName: 'thing-3', attributes: {}, reenroll: true },
        ],
        [7, 9, 7],
        NOW,
      ],
    ]);
  });

  it('fails the devices of a site removed since the request, saying why, and buffers the rest', async () => {
    const { service, devices } = setup();
    await service.intake('job-2', [
      ['D-1', 'gone', 'thing-1', {}, 0],
      ['D-2', 'a', 'thing-2', {}, 0],
    ]);
    expect(devices.calls).toEqual([
      ['failForRemovedSite', 'job-2', [{ event: { deviceId: 'D-1', siteId: 'gone', thingName: 'thing-1', attributes: {}, reenroll: false }, reason: removedSiteReason('gone') }], NOW],
      ['intake', 'job-2', [{ deviceId: 'D-2', siteId: 'a', thingName: 'thing-2', attributes: {}, reenroll: false }], [7], NOW],
    ]);
    expect(removedSiteReason('gone')).toBe(
      'site "gone" was removed from the sites file after this device was accepted; add the site back and run `fleet-enroll retry --site gone`, or enroll the device again at a configured site (reenroll: true, admin token)',
    );
  });

  it('does not call failForRemovedSite when every site is configured', async () => {
    const { service, devices } = setup();
    await service.intake('job-3', [['D-1', 'a', 'thing-1', {}, 0]]);
    expect(devices.calls.map((c) => c[0])).toEqual(['intake']);
  });

  it('counts the duplicates and refusals the store found, and returns its counts', async () => {
    const { service, devices, metrics } = setup();
    devices.intakeAnswer = { accepted: 1, duplicates: 2, refused: 3 };
    expect(await service.intake('job-4', [['D-1', 'a', 't', {}, 0]])).toEqual({ accepted: 1, duplicates: 2, refused: 3 });
    expect(await counter(metrics.duplicates)).toBe(2);
    expect(await counter(metrics.rejectedEvents)).toBe(3);
    devices.intakeAnswer = { accepted: 1, duplicates: 0, refused: 0 };
    await service.intake('job-5', [['D-2', 'a', 't2', {}, 0]]);
    expect(await counter(metrics.duplicates)).toBe(2);
    expect(await counter(metrics.rejectedEvents)).toBe(3);
  });
});

describe('EnrollmentService views', () => {
  it('device: its view with its history, or null', async () => {
    const { service, devices } = setup();
    devices.records.set('D-1', device('D-1', 'a', 'registered', 'B-1'));
    devices.histories.set('D-1', [
      { siteId: 'b', state: 'failed', thingName: 'D-1', batchId: 'B-0', activationId: null, managedNodeId: null, error: 'old', times: {}, replacedAt: NOW - 10 },
    ]);
    const view = await service.device('D-1');
    expect(view).toMatchObject({ deviceId: 'D-1', siteId: 'a', state: 'registered', batchId: 'B-1', updatedAt: new Date(NOW).toISOString() });
    expect(view?.history).toEqual([expect.objectContaining({ siteId: 'b', state: 'failed', batchId: 'B-0', replacedAt: new Date(NOW - 10).toISOString() })]);
    expect(await service.device('nope')).toBeNull();
  });

  it('site: counts, buffered, next cut as ISO while something waits, tag backlog; null for an unknown site', async () => {
    const cut = NOW + 2500;
    const { service } = setup({ buffered: 3, nextCutAt: cut, backlog: true });
    expect(await service.siteView('a')).toEqual({
      siteId: 'a',
      counts: { accepted: 1, batched: 0, activated: 0, delivered: 0, acked: 0, registered: 2, failed: 0 },
      buffered: 3,
      nextCutAt: new Date(cut).toISOString(),
      tagBacklog: 4,
    });
    expect(await service.siteView('nope')).toBeNull();
  });

  it('site: no next cut when nothing is buffered or none is set; tag backlog 0 without a tag queue', async () => {
    expect(await setup({ buffered: 0, nextCutAt: NOW }).service.siteView('a')).toMatchObject({ buffered: 0, nextCutAt: null, tagBacklog: 0 });
    expect(await setup({ buffered: 2, nextCutAt: null }).service.siteView('a')).toMatchObject({ buffered: 2, nextCutAt: null });
  });

  it('batch: counts its devices by state, only those still in this batch; null for an unknown batch', async () => {
    const { service, devices, addBatch } = setup();
    devices.records.set('D-1', device('D-1', 'a', 'failed', 'B-1'));
    devices.records.set('D-2', device('D-2', 'a', 'failed', 'B-1'));
    devices.records.set('D-3', device('D-3', 'a', 'registered', 'B-1'));
    devices.records.set('D-4', device('D-4', 'a', 'accepted', 'B-2')); // re-batched since
    addBatch(batch('B-1', 'a'), ['D-1', 'D-2', 'D-3', 'D-4', 'D-gone']);
    const view = await service.batch('B-1');
    expect(view).toMatchObject({ batchId: 'B-1', siteId: 'a', state: 'failed', attempts: 5 });
    expect(view?.counts).toEqual({ accepted: 0, batched: 0, activated: 0, delivered: 0, acked: 0, registered: 1, failed: 2 });
    expect(await service.batch('nope')).toBeNull();
  });
});

describe('EnrollmentService retries', () => {
  it('retryBatch requeues only the batch’s failed devices still in it, with the site’s policy and the clock', async () => {
    const { service, devices, addBatch } = setup();
    devices.records.set('D-1', device('D-1', 'a', 'failed', 'B-1'));
    devices.records.set('D-2', device('D-2', 'a', 'registered', 'B-1'));
    devices.records.set('D-3', device('D-3', 'a', 'failed', 'B-9'));
    addBatch(batch('B-1', 'a'), ['D-1', 'D-2', 'D-3', 'D-gone']);
    expect(await service.retryBatch('B-1')).toEqual({ batches: 1, devices: 1 });
    expect(devices.calls).toEqual([['requeueFailed', 'a', ['D-1'], 7, NOW]]);
    expect(await service.retryBatch('nope')).toBeNull();
  });

  it('retryBatch with no failed device re-drives nothing and calls no store write', async () => {
    const { service, devices, addBatch } = setup();
    devices.records.set('D-2', device('D-2', 'a', 'registered', 'B-1'));
    addBatch(batch('B-1', 'a'), ['D-2']);
    expect(await service.retryBatch('B-1')).toEqual({ batches: 0, devices: 0 });
    expect(devices.calls).toEqual([]);
  });

  it('retrySite requeues the site’s failed devices and counts their distinct batches; an unknown site re-drives nothing', async () => {
    const { service, devices } = setup();
    devices.records.set('D-1', device('D-1', 'a', 'failed', 'B-1'));
    devices.records.set('D-2', device('D-2', 'a', 'failed', 'B-1'));
    devices.records.set('D-3', device('D-3', 'a', 'failed', 'B-2'));
    devices.records.set('D-4', device('D-4', 'a', 'failed', null));
    devices.failed.set('a', ['D-1', 'D-2', 'D-3', 'D-4']);
    devices.failed.set('nope', ['D-1']);
    expect(await service.retrySite('a')).toEqual({ batches: 2, devices: 4 });
    expect(devices.calls).toEqual([['requeueFailed', 'a', ['D-1', 'D-2', 'D-3', 'D-4'], 7, NOW]]);
    expect(await service.retrySite('b')).toEqual({ batches: 0, devices: 0 });
    expect(await service.retrySite('nope')).toEqual({ batches: 0, devices: 0 });
    expect(devices.calls).toHaveLength(1);
  });

  it('retryAllFailed adds up every configured site', async () => {
    const { service, devices } = setup();
    devices.records.set('D-1', device('D-1', 'a', 'failed', 'B-1'));
    devices.records.set('D-2', device('D-2', 'b', 'failed', 'B-2'));
    devices.records.set('D-3', device('D-3', 'b', 'failed', 'B-3'));
    devices.failed.set('a', ['D-1']);
    devices.failed.set('b', ['D-2', 'D-3']);
    expect(await service.retryAllFailed()).toEqual({ batches: 3, devices: 3 });
    expect(devices.calls.map((c) => [c[1], c[3]])).toEqual([
      ['a', 7],
      ['b', 9],
    ]);
  });

  it('the intake job refuses to buffer for a site it does not know (a typed error, not a crash)', async () => {
    const { service, devices } = setup();
    // the store asks for the policy of a site the service never saw: the service answers with a ValidationError
    devices.intake = async (_job, _events, policyOf) => {
      policyOf('elsewhere');
      return { accepted: 0, duplicates: 0, refused: 0 };
    };
    const err = await service.intake('job-6', [['D-1', 'a', 't', {}, 0]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([{ path: 'siteId', message: 'unknown site "elsewhere"' }]);
  });
});

describe('EnrollmentService retries, edge cases', () => {
  it('retrySite: a failed id whose record is gone is still handed to the store; no batch counted when the store re-drove none', async () => {
    const { service, devices } = setup();
    devices.records.set('D-1', device('D-1', 'a', 'failed', 'B-1'));
    devices.failed.set('a', ['D-1', 'D-gone']);
    expect(await service.retrySite('a')).toEqual({ batches: 1, devices: 2 });
    devices.requeueFailed = async () => 0;
    expect(await service.retrySite('a')).toEqual({ batches: 0, devices: 0 });
  });
});
