/**
 * Enrollment from the outside: events in (one intake job per request), device / site / batch views, and
 * re-driving what failed. The intake job itself (authoritative dedupe into the site buffers) runs here too.
 */
import type { BatchView, DeviceView, EnrollResult, RetryResult, SiteView } from '../api/services.js';
import { ValidationError } from '../domain/errors.js';
import type { OnboardingEvent } from '../domain/onboarding-event.js';
import type { Site } from '../domain/site.js';
import type { BatchStore } from '../queues/batch-store.js';
import { toCounts, type DeviceStore } from '../queues/device-store.js';
import type { JobProducer } from '../queues/job-producer.js';
import type { IntakeEventTuple } from '../queues/queue-names.js';
import type { SiteBufferStore } from '../queues/site-buffer-store.js';
import type { Metrics } from '../adapters/metrics.js';
import { toBatchView, toDeviceView } from './views.js';

export interface EnrollmentDeps {
  readonly sites: ReadonlyMap<string, Site>;
  readonly devices: DeviceStore;
  readonly batches: BatchStore;
  readonly buffers: SiteBufferStore;
  readonly jobs: Pick<JobProducer, 'addIntake'>;
  readonly metrics: Metrics;
  readonly clock?: () => number;
}

export class EnrollmentService {
  private readonly now: () => number;

  constructor(private readonly deps: EnrollmentDeps) {
    this.now = deps.clock ?? Date.now;
  }

  /**
   * Events are validated already. A device twice in one request, or in flight without `reenroll`, is a
   * duplicate; the rest go into one intake job. The intake script re-checks (another request may race).
   */
  async enroll(events: readonly OnboardingEvent[]): Promise<EnrollResult> {
    const unknown = events.flatMap((e, i) => (this.deps.sites.has(e.siteId) ? [] : [{ path: `events[${i}].siteId`, message: `unknown site "${e.siteId}"` }]));
    if (unknown.length > 0) throw new ValidationError(unknown, 'events');
    const seen = new Set<string>();
    const unique: OnboardingEvent[] = [];
    for (const e of events) {
      if (seen.has(e.deviceId)) continue;
      seen.add(e.deviceId);
      unique.push(e);
    }
    const busy = await this.deps.devices.inFlight(unique.filter((e) => !e.reenroll).map((e) => e.deviceId));
    const fresh = unique.filter((e) => e.reenroll || !busy.has(e.deviceId));
    if (fresh.length > 0) await this.deps.jobs.addIntake(fresh);
    const duplicates = events.length - fresh.length;
    if (duplicates > 0) this.deps.metrics.duplicates.inc(duplicates);
    return { accepted: fresh.length, duplicates };
  }

  /** The intake job: dedupe for good and buffer per site. Idempotent when BullMQ retries the job. */
  async intake(jobId: string, tuples: readonly IntakeEventTuple[]): Promise<{ accepted: number; duplicates: number }> {
    const events: OnboardingEvent[] = [];
    const removed: OnboardingEvent[] = [];
    for (const [deviceId, siteId, thingName, attributes, reenroll] of tuples) {
      const event = { deviceId, siteId, thingName, attributes, reenroll: reenroll === 1 };
      (this.deps.sites.has(siteId) ? events : removed).push(event);
    }
    await this.failRemovedSite(jobId, removed);
    const result = await this.deps.devices.intake(jobId, events, (siteId) => this.site(siteId), this.now());
    // duplicates the API's pre-check could not see (a concurrent request won the race)
    if (result.duplicates > 0) this.deps.metrics.duplicates.inc(result.duplicates);
    return result;
  }

  /** A site removed from the sites file after the 202: its devices end `failed`, saying why and what to do. */
  private async failRemovedSite(jobId: string, removed: readonly OnboardingEvent[]): Promise<void> {
    if (removed.length === 0) return;
    const failed = removed.map((event) => ({ event, reason: removedSiteReason(event.siteId) }));
    await this.deps.devices.failForRemovedSite(jobId, failed, this.now());
  }

  async device(deviceId: string): Promise<DeviceView | null> {
    const d = await this.deps.devices.get(deviceId);
    return d ? toDeviceView(d) : null;
  }

  async siteView(siteId: string): Promise<SiteView | null> {
    if (!this.deps.sites.has(siteId)) return null;
    const [counts, buffered, nextCutAt] = await Promise.all([
      this.deps.devices.counts(siteId),
      this.deps.buffers.buffered(siteId),
      this.deps.buffers.nextCutAt(siteId),
    ]);
    return { siteId, counts, buffered, nextCutAt: buffered > 0 && nextCutAt !== null ? new Date(nextCutAt).toISOString() : null };
  }

  async batch(batchId: string): Promise<BatchView | null> {
    const b = await this.deps.batches.get(batchId);
    if (!b) return null;
    const records = await this.deps.devices.getMany(await this.deps.batches.deviceIds(batchId));
    const raw: Record<string, string> = {};
    for (const d of records) {
      if (d && d.batchId === batchId) raw[d.state] = String(Number(raw[d.state] ?? 0) + 1);
    }
    return toBatchView(b, toCounts(raw));
  }

  /** Failed devices of the batch back into their site buffer (they get a new batch and activation). */
  async retryBatch(batchId: string): Promise<RetryResult | null> {
    const b = await this.deps.batches.get(batchId);
    if (!b) return null;
    const records = await this.deps.devices.getMany(await this.deps.batches.deviceIds(batchId));
    const failed = records.filter((d) => d && d.state === 'failed' && d.batchId === batchId).map((d) => d!.deviceId);
    const devices = await this.requeue(b.siteId, failed);
    return { batches: devices > 0 ? 1 : 0, devices };
  }

  async retrySite(siteId: string): Promise<RetryResult> {
    if (!this.deps.sites.has(siteId)) return { batches: 0, devices: 0 };
    const ids = await this.deps.devices.failedIds(siteId);
    const records = await this.deps.devices.getMany(ids);
    const batches = new Set(records.map((d) => d?.batchId).filter((b): b is string => typeof b === 'string'));
    const devices = await this.requeue(siteId, ids);
    return { batches: devices > 0 ? batches.size : 0, devices };
  }

  async retryAllFailed(): Promise<RetryResult> {
    let batches = 0;
    let devices = 0;
    for (const siteId of this.deps.sites.keys()) {
      const r = await this.retrySite(siteId);
      batches += r.batches;
      devices += r.devices;
    }
    return { batches, devices };
  }

  private async requeue(siteId: string, deviceIds: readonly string[]): Promise<number> {
    if (deviceIds.length === 0) return 0;
    return this.deps.devices.requeueFailed(siteId, deviceIds, this.site(siteId), this.now());
  }

  private site(siteId: string): Site {
    const site = this.deps.sites.get(siteId);
    if (!site) throw new ValidationError([{ path: 'siteId', message: `unknown site "${siteId}"` }]);
    return site;
  }
}

export function removedSiteReason(siteId: string): string {
  return (
    `site "${siteId}" was removed from the sites file after this device was accepted; ` +
    `add the site back and run \`fleet-enroll retry --site ${siteId}\`, or enroll the device again at a configured site (reenroll: true, admin token)`
  );
}
