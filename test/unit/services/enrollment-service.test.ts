/** EnrollmentService.enroll with in-memory stores: who may take which device, and what goes into the intake job. */
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/adapters/metrics.js';
import type { DeviceState } from '../../../src/domain/device-state.js';
import { ValidationError } from '../../../src/domain/errors.js';
import type { OnboardingEvent } from '../../../src/domain/onboarding-event.js';
import type { Site } from '../../../src/domain/site.js';
import type { BatchStore } from '../../../src/redis/batch-store.js';
import type { DeviceOwner, DeviceStore, IntakeEvent } from '../../../src/redis/device-store.js';
import type { SiteBufferStore } from '../../../src/redis/site-buffer-store.js';
import { EnrollmentService } from '../../../src/services/enrollment-service.js';

const site = (id: string): Site => ({ id, region: 'us-east-1', iamRole: 'R', maxBatchSize: 10, batchWindowMs: 100, activationTtlHours: 24, tags: {} });

/** The two reads the API's pre-check makes, over a map of records. */
class FakeDevices {
  readonly records = new Map<string, DeviceOwner>();
  async owners(ids: readonly string[]): Promise<(DeviceOwner | null)[]> {
    return ids.map((id) => this.records.get(id) ?? null);
  }
  async thingHolders(wanted: readonly { deviceId: string; siteId: string; thingName: string }[]): Promise<(string | null)[]> {
    return wanted.map((w) => {
      for (const [id, r] of this.records) {
        if (id !== w.deviceId && r.siteId === w.siteId && r.thingName === w.thingName && r.state !== 'registered' && r.state !== 'failed') return id;
      }
      return null;
    });
  }
}

function setup() {
  const devices = new FakeDevices();
  const jobs: IntakeEvent[][] = [];
  const metrics = new Metrics();
  const service = new EnrollmentService({
    sites: new Map(['a', 'b'].map((s) => [s, site(s)])),
    devices: devices as unknown as DeviceStore,
    batches: {} as BatchStore,
    buffers: {} as SiteBufferStore,
    jobs: { addIntake: async (events) => (jobs.push([...events]), 'job') },
    metrics,
  });
  const record = (id: string, siteId: string, state: DeviceState, thingName = id): void => void devices.records.set(id, { siteId, state, thingName });
  const duplicatesCounted = async (): Promise<number> => (await metrics.duplicates.get()).values[0]?.value ?? 0;
  return { service, jobs, record, duplicatesCounted };
}

const ev = (deviceId: string, siteId: string, extra: Partial<OnboardingEvent> = {}): OnboardingEvent => ({ deviceId, siteId, thingName: deviceId, attributes: {}, reenroll: false, ...extra });
const lineOf = (...sites: string[]) => ({ allowsSite: (s: string) => sites.includes(s) });

describe('EnrollmentService.enroll', () => {
  it('answers a line token the same for another site’s device in any state, and counts none as duplicate', async () => {
    const { service, jobs, record } = setup();
    const states: DeviceState[] = ['accepted', 'delivered', 'registered', 'failed'];
    states.forEach((s, i) => record(`B-${i}`, 'b', s));
    const r = await service.enroll([...states.map((_, i) => ev(`B-${i}`, 'a', { reenroll: i % 2 === 0 })), ev('A-new', 'a')], lineOf('a'));
    expect(r.accepted).toBe(1);
    expect(r.duplicates).toBe(0);
    expect(r.rejected).toEqual(states.map((_, i) => ({ index: i, deviceId: `B-${i}`, errors: [{ path: 'deviceId', message: 'is not available to this token' }] })));
    expect(jobs).toEqual([[ev('A-new', 'a')]]);
  });

  it('moves a device only with reenroll and a token for both sites, telling the job where from', async () => {
    const { service, jobs, record } = setup();
    record('B-1', 'b', 'registered');
    const without = await service.enroll([ev('B-1', 'a')], lineOf('a', 'b'));
    expect(without.rejected?.[0]?.errors[0]?.message).toBe('is recorded at site "b": moving it takes "reenroll": true');
    expect(jobs).toEqual([]);
    expect(await service.enroll([ev('B-1', 'a', { reenroll: true })], lineOf('a', 'b'))).toEqual({ accepted: 1, duplicates: 0 });
    expect(jobs).toEqual([[{ ...ev('B-1', 'a', { reenroll: true }), moveFrom: 'b' }]]);
  });

  it('counts a registered or in-flight device of the same site as a duplicate; a failed one is enrolled again', async () => {
    const { service, jobs, record } = setup();
    record('A-reg', 'a', 'registered');
    record('A-fly', 'a', 'delivered');
    record('A-bad', 'a', 'failed');
    expect(await service.enroll([ev('A-reg', 'a'), ev('A-fly', 'a'), ev('A-bad', 'a'), ev('A-bad', 'a')])).toEqual({ accepted: 1, duplicates: 3 });
    expect(jobs).toEqual([[ev('A-bad', 'a')]]);
    expect(await service.enroll([ev('A-reg', 'a', { reenroll: true })])).toEqual({ accepted: 1, duplicates: 0 });
  });

  it('refuses a thingName another in-flight device of the site holds, also within one request', async () => {
    const { service, jobs, record } = setup();
    record('A-1', 'a', 'activated', 'edge-1');
    record('A-2', 'a', 'registered', 'edge-2');
    const r = await service.enroll([ev('A-3', 'a', { thingName: 'edge-1' }), ev('A-4', 'a', { thingName: 'edge-2' }), ev('A-5', 'a', { thingName: 'edge-2' }), ev('A-6', 'b', { thingName: 'edge-1' })]);
    expect(r.accepted).toBe(2);
    expect(r.rejected?.map((x) => [x.index, x.errors[0]?.path])).toEqual([
      [0, 'thingName'],
      [2, 'thingName'],
    ]);
    expect(jobs[0]?.map((e) => e.deviceId)).toEqual(['A-4', 'A-6']);
  });

  it('refuses the whole request when any event names an unknown site, naming each, and queues nothing', async () => {
    const { service, jobs } = setup();
    const err = await service.enroll([ev('A-1', 'a'), ev('X-1', 'x'), ev('A-2', 'a'), ev('Y-1', 'y')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([
      { path: 'events[1].siteId', message: 'unknown site "x"' },
      { path: 'events[3].siteId', message: 'unknown site "y"' },
    ]);
    expect((err as ValidationError).message).toMatch(/^invalid events: /);
    expect(jobs).toEqual([]);
  });

  it('without a scope (admin) a device of another site moves with reenroll, and is refused without it', async () => {
    const { service, jobs, record } = setup();
    record('B-1', 'b', 'failed');
    expect((await service.enroll([ev('B-1', 'a')])).rejected).toEqual([
      { index: 0, deviceId: 'B-1', errors: [{ path: 'deviceId', message: 'is recorded at site "b": moving it takes "reenroll": true' }] },
    ]);
    expect(await service.enroll([ev('B-1', 'a', { reenroll: true })])).toEqual({ accepted: 1, duplicates: 0 });
    expect(jobs).toEqual([[{ ...ev('B-1', 'a', { reenroll: true }), moveFrom: 'b' }]]);
  });

  it('lists rejections in request order whichever check refused them, with the thing-name message in full', async () => {
    const { service, record } = setup();
    record('A-1', 'a', 'activated', 'edge-1');
    record('B-1', 'b', 'registered');
    const r = await service.enroll([ev('A-3', 'a', { thingName: 'edge-1' }), ev('B-1', 'a')]);
    expect(r.rejected).toEqual([
      {
        index: 0,
        deviceId: 'A-3',
        errors: [{ path: 'thingName', message: '"edge-1" is the thing name of another device in flight at site "a"; give this device its own thingName' }],
      },
      { index: 1, deviceId: 'B-1', errors: [{ path: 'deviceId', message: 'is recorded at site "b": moving it takes "reenroll": true' }] },
    ]);
  });

  it('counts duplicates in the metric, and only when there are some', async () => {
    const { service, record, duplicatesCounted } = setup();
    await service.enroll([ev('A-1', 'a')]);
    expect(await duplicatesCounted()).toBe(0);
    record('A-2', 'a', 'registered');
    await service.enroll([ev('A-2', 'a'), ev('A-3', 'a'), ev('A-3', 'a')]);
    expect(await duplicatesCounted()).toBe(2);
  });
});
