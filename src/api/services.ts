/**
 * What the HTTP API needs from the rest of the system. Implemented in src/services, built by src/app.ts,
 * passed to buildApi(). Views never contain an activation code.
 */
import type { OnboardingEvent } from '../domain/onboarding-event.js';
import type { AckMessage } from '../domain/messages.js';
import type { DeviceState } from '../domain/device-state.js';
import type { BatchState } from '../domain/batch-state.js';

export interface EnrollResult {
  readonly accepted: number;
  readonly duplicates: number;
}

export interface DeviceView {
  readonly deviceId: string;
  readonly siteId: string;
  readonly thingName: string;
  readonly state: DeviceState;
  readonly batchId: string | null;
  readonly activationId: string | null;
  readonly managedNodeId: string | null;
  readonly rebatches: number;
  /** ISO-8601 per state reached */
  readonly timestamps: Readonly<Partial<Record<DeviceState, string>>>;
  readonly updatedAt: string | null;
  readonly error: string | null;
  /** its managed node's device tags: pending (the tag role has not tagged it yet), tagged, refused; null when tagging is off or not due */
  readonly tagState?: 'pending' | 'tagged' | 'refused' | null;
  /** ISO-8601 when its node was tagged */
  readonly taggedAt?: string | null;
}

export interface SiteView {
  readonly siteId: string;
  readonly counts: Readonly<Record<DeviceState, number>>;
  readonly buffered: number;
  /** ISO-8601, or null when nothing waits */
  readonly nextCutAt: string | null;
  /** registered devices whose managed node waits for its device tags */
  readonly tagBacklog?: number;
}

export interface BatchView {
  readonly batchId: string;
  readonly siteId: string;
  readonly region: string;
  readonly state: BatchState;
  /** e.g. "quota" while blocked */
  readonly blockedReason: string | null;
  readonly size: number;
  readonly activationId: string | null;
  readonly expiresAt: string | null;
  readonly attempts: number;
  readonly strays: number;
  readonly counts: Readonly<Record<DeviceState, number>>;
  readonly error: string | null;
  readonly createdAt: string;
}

export interface RetryResult {
  /** batches re-driven */
  readonly batches: number;
  /** devices put back in flight */
  readonly devices: number;
}

export type AckOutcome = 'accepted' | 'stale' | 'invalid';

export interface ReadinessReport {
  readonly redis: boolean;
  readonly aws: boolean;
  readonly detail?: string;
}

export interface ApiServices {
  /** events are already validated; authoritative dedupe happens here */
  enroll(events: readonly OnboardingEvent[]): Promise<EnrollResult>;
  device(deviceId: string): Promise<DeviceView | null>;
  site(siteId: string): Promise<SiteView | null>;
  batch(batchId: string): Promise<BatchView | null>;
  retryBatch(batchId: string): Promise<RetryResult | null>;
  retrySite(siteId: string): Promise<RetryResult>;
  retryAllFailed(): Promise<RetryResult>;
  /** an ack forwarded by an AWS IoT rule; topic fields when the rule adds them */
  ack(ack: AckMessage, source: 'http' | 'mqtt', topic?: { siteId: string; thingName: string }): Promise<AckOutcome>;
  readiness(): Promise<ReadinessReport>;
  /** refresh scrape-time gauges (devices/batches per state, queue depths) */
  refreshGauges(): Promise<void>;
}
