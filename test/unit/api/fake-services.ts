/** An in-memory ApiServices for testing the HTTP layer alone; it records what the API handed it. */
import type { AckMessage } from '../../../src/domain/messages.js';
import type { OnboardingEvent } from '../../../src/domain/onboarding-event.js';
import { DEVICE_STATES, type DeviceState } from '../../../src/domain/device-state.js';
import type {
  AckOutcome,
  ApiServices,
  BatchView,
  DeviceView,
  EnrollResult,
  ReadinessReport,
  RetryResult,
  SiteView,
} from '../../../src/api/services.js';

export function zeroCounts(): Record<DeviceState, number> {
  return Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<DeviceState, number>;
}

export class FakeServices implements ApiServices {
  readonly enrolled: OnboardingEvent[] = [];
  readonly enrollCalls: number[] = [];
  private readonly inFlight = new Set<string>();
  readonly acks: { ack: AckMessage; source: string; topic?: { siteId: string; thingName: string } }[] = [];
  readonly retried: string[] = [];
  readonly devices = new Map<string, DeviceView>();
  readonly batches = new Map<string, BatchView>();
  readiness_: ReadinessReport = { redis: true, aws: true };
  ackOutcome: AckOutcome = 'accepted';
  gaugeRefreshes = 0;
  /** when set, every write throws it (e.g. Redis down) */
  failWith: Error | undefined;

  async enroll(events: readonly OnboardingEvent[]): Promise<EnrollResult> {
    if (this.failWith) throw this.failWith;
    this.enrollCalls.push(events.length);
    let duplicates = 0;
    for (const e of events) {
      if (!e.reenroll && this.inFlight.has(e.deviceId)) duplicates++;
      else {
        this.inFlight.add(e.deviceId);
        this.enrolled.push(e);
      }
    }
    return { accepted: events.length - duplicates, duplicates };
  }

  async device(deviceId: string): Promise<DeviceView | null> {
    return this.devices.get(deviceId) ?? null;
  }

  async site(siteId: string): Promise<SiteView | null> {
    const counts = zeroCounts();
    for (const e of this.enrolled) if (e.siteId === siteId) counts.accepted++;
    return { siteId, counts, buffered: counts.accepted, nextCutAt: counts.accepted > 0 ? '2026-01-01T00:00:02.000Z' : null };
  }

  async batch(batchId: string): Promise<BatchView | null> {
    return this.batches.get(batchId) ?? null;
  }

  async retryBatch(batchId: string): Promise<RetryResult | null> {
    if (this.failWith) throw this.failWith;
    if (!this.batches.has(batchId)) return null;
    this.retried.push(`batch:${batchId}`);
    return { batches: 1, devices: this.batches.get(batchId)!.size };
  }

  async retrySite(siteId: string): Promise<RetryResult> {
    this.retried.push(`site:${siteId}`);
    return { batches: 2, devices: 7 };
  }

  async retryAllFailed(): Promise<RetryResult> {
    this.retried.push('all');
    return { batches: 3, devices: 9 };
  }

  async ack(ack: AckMessage, source: 'http' | 'mqtt', topic?: { siteId: string; thingName: string }): Promise<AckOutcome> {
    this.acks.push(topic === undefined ? { ack, source } : { ack, source, topic });
    return this.ackOutcome;
  }

  async readiness(): Promise<ReadinessReport> {
    return this.readiness_;
  }

  async refreshGauges(): Promise<void> {
    this.gaugeRefreshes++;
  }
}
