/**
 * Enrollment from the outside: events in (one intake job per request), device / site / batch views, and
 * re-driving what failed. The intake job itself (authoritative dedupe into the site buffers) runs here too.
 */
import type { BatchView, DeviceView, EnrollResult, EventRejection, RetryResult, SiteScope, SiteView } from './views.js';
import { ValidationError } from '../domain/errors.js';
import type { OnboardingEvent } from '../domain/onboarding-event.js';
import type { Site } from '../domain/site.js';
import type { BatchStore } from '../redis/batch-store.js';
import { toCounts, type DeviceStore, type IntakeCounts, type IntakeEvent } from '../redis/device-store.js';
import type { JobProducer } from '../redis/job-producer.js';
import type { IntakeEventTuple } from '../redis/queue-names.js';
import type { TagStore } from '../redis/tag-store.js';
import type { SiteBufferStore } from '../redis/site-buffer-store.js';
import type { Metrics } from '../adapters/metrics.js';
import { toBatchView, toDeviceView, toHistoryView } from './views.js';

export interface EnrollmentDeps {
  readonly sites: ReadonlyMap<string, Site>;
  readonly devices: DeviceStore;
  readonly batches: BatchStore;
  readonly buffers: SiteBufferStore;
  readonly jobs: Pick<JobProducer, 'addIntake'>;
  readonly metrics: Metrics;
  /** the site view's tag backlog */
  readonly tagQueue?: Pick<TagStore, 'backlog'>;
  readonly clock?: () => number;
}

const EVERY_SITE: SiteScope = Object.freeze({ allowsSite: () => true });

export class EnrollmentService {
  private readonly now: () => number;

  constructor(private readonly deps: EnrollmentDeps) {
    this.now = deps.clock ?? Date.now;
  }

  /**
   * Events are validated already. A device belongs to its site: one recorded at another site is refused
   * unless `scope` covers that site and the event says `reenroll` (then it moves, its old record kept as
   * history); a line token learns only that the id is not available to it, whatever that record's state.
   * A device twice in one request, or in flight or registered without `reenroll`, is a duplicate; a
   * thingName another in-flight device of the site holds is refused. The rest go into one intake job; the
   * intake script re-checks all of it (another request may race).
   */
  async enroll(events: readonly OnboardingEvent[], scope: SiteScope = EVERY_SITE): Promise<EnrollResult> {
    const unknown = events.flatMap((e, i) => (this.deps.sites.has(e.siteId) ? [] : [{ path: `events[${i}].siteId`, message: `unknown site "${e.siteId}"` }]));
    if (unknown.length > 0) throw new ValidationError(unknown, 'events');
    const rejected: EventRejection[] = [];
    const seen = new Set<string>();
    const candidates: { event: OnboardingEvent; index: number }[] = [];
    let duplicates = 0;
    events.forEach((event, index) => {
      if (seen.has(event.deviceId)) duplicates++;
      else {
        seen.add(event.deviceId);
        candidates.push({ event, index });
      }
    });
    const owners = await this.deps.devices.owners(candidates.map((c) => c.event.deviceId));
    const placed: { event: IntakeEvent; index: number }[] = [];
    candidates.forEach(({ event, index }, i) => {
      const owner = owners[i] ?? null;
      const refuse = (field: string, message: string): void => void rejected.push({ index, deviceId: event.deviceId, errors: [{ path: field, message }] });
      if (owner !== null && owner.siteId !== event.siteId) {
        if (!scope.allowsSite(owner.siteId)) refuse('deviceId', 'is not available to this token');
        else if (!event.reenroll) refuse('deviceId', `is recorded at site "${owner.siteId}": moving it takes "reenroll": true`);
        else placed.push({ event: { ...event, moveFrom: owner.siteId }, index });
        return;
      }
      if (owner !== null && owner.state !== 'failed' && !event.reenroll) duplicates++;
      else placed.push({ event, index });
    });
    const fresh = await this.withoutThingClashes(placed, rejected);
    if (fresh.length > 0) await this.deps.jobs.addIntake(fresh);
    if (duplicates > 0) this.deps.metrics.duplicates.inc(duplicates);
    rejected.sort((a, b) => a.index - b.index);
    return rejected.length > 0 ? { accepted: fresh.length, duplicates, rejected } : { accepted: fresh.length, duplicates };
  }

  /** Two in-flight devices of one site under one thingName would share a credentials topic: the later one is refused. */
  private async withoutThingClashes(placed: readonly { event: IntakeEvent; index: number }[], rejected: EventRejection[]): Promise<IntakeEvent[]> {
    const holders = await this.deps.devices.thingHolders(placed.map((p) => p.event));
    const taken = new Map<string, string>();
    const fresh: IntakeEvent[] = [];
    placed.forEach(({ event, index }, i) => {
      const key = `${event.siteId}\u0000${event.thingName}`;
      const holder = holders[i] ?? taken.get(key);
      if (holder !== undefined && holder !== null) {
        const message = `"${event.thingName}" is the thing name of another device in flight at site "${event.siteId}"; give this device its own thingName`;
        rejected.push({ index, deviceId: event.deviceId, errors: [{ path: 'thingName', message }] });
        return;
      }
      taken.set(key, event.deviceId);
      fresh.push(event);
    });
    return fresh;
  }

  /** The intake job: dedupe for good and buffer per site. Idempotent when BullMQ retries the job. */
  async intake(jobId: string, tuples: readonly IntakeEventTuple[]): Promise<IntakeCounts> {
    const events: IntakeEvent[] = [];
    const removed: OnboardingEvent[] = [];
    for (const [deviceId, siteId, thingName, attributes, reenroll, moveFrom] of tuples) {
      const event = { deviceId, siteId, thingName, attributes, reenroll: reenroll === 1, ...(moveFrom ? { moveFrom } : {}) };
      // a site removed from config since the request was accepted: its devices end failed, saying why
      (this.deps.sites.has(siteId) ? events : removed).push(event);
    }
    await this.failRemovedSite(jobId, removed);
    const result = await this.deps.devices.intake(jobId, events, (siteId) => this.site(siteId), this.now());
    // duplicates the API's pre-check could not see (a concurrent request won the race)
    if (result.duplicates > 0) this.deps.metrics.duplicates.inc(result.duplicates);
    // refused after the API said accepted: a concurrent request took the device or its thing name first
    if (result.refused > 0) this.deps.metrics.rejectedEvents.inc(result.refused);
    return result;
  }

  /** A site removed from the sites file after the 202: its devices end `failed`, saying why and what to do. */
  private async failRemovedSite(jobId: string, removed: readonly OnboardingEvent[]): Promise<void> {
    if (removed.length === 0) return;
    const failed = removed.map((event) => ({ event, reason: removedSiteReason(event.siteId) }));
    await this.deps.devices.failForRemovedSite(jobId, failed, this.now());
  }

  async device(deviceId: string): Promise<DeviceView | null> {
    const [d, history] = await Promise.all([this.deps.devices.get(deviceId), this.deps.devices.history(deviceId)]);
    return d ? { ...toDeviceView(d), history: history.map(toHistoryView) } : null;
  }

  async siteView(siteId: string): Promise<SiteView | null> {
    if (!this.deps.sites.has(siteId)) return null;
    const [counts, buffered, nextCutAt, tagBacklog] = await Promise.all([
      this.deps.devices.counts(siteId),
      this.deps.buffers.buffered(siteId),
      this.deps.buffers.nextCutAt(siteId),
      this.deps.tagQueue?.backlog(siteId) ?? 0,
    ]);
    const cutAt = buffered > 0 && nextCutAt !== null ? new Date(nextCutAt).toISOString() : null;
    return { siteId, counts, buffered, nextCutAt: cutAt, tagBacklog };
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
