/**
 * What the HTTP API needs from the rest of the system. Implemented in src/services, built by src/app.ts,
 * passed to buildApi(). Views never contain an activation code.
 */
import type { FieldIssue } from '../domain/errors.js';
import type { OnboardingEvent } from '../domain/onboarding-event.js';
import type { AckMessage } from '../domain/messages.js';
import type { DeviceState } from '../domain/device-state.js';
import type { BatchState } from '../domain/batch-state.js';

export interface EnrollResult {
  readonly accepted: number;
  readonly duplicates: number;
  /** events refused by the pipeline's records (`index` into the events passed; paths relative to the event) */
  readonly rejected?: readonly EventRejection[];
}

export interface EventRejection {
  readonly index: number;
  readonly deviceId: string;
  readonly errors: readonly FieldIssue[];
}

/** The sites a caller may act for (the API passes the token's Principal). */
export interface SiteScope {
  allowsSite(siteId: string): boolean;
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
  /** records re-enrollments replaced, newest first (the single-device read fills it) */
  readonly history?: readonly DeviceHistoryView[];
}

export interface DeviceHistoryView {
  readonly siteId: string;
  readonly state: DeviceState;
  readonly thingName: string | null;
  readonly batchId: string | null;
  readonly activationId: string | null;
  readonly managedNodeId: string | null;
  readonly error: string | null;
  readonly timestamps: Readonly<Partial<Record<DeviceState, string>>>;
  readonly replacedAt: string;
}

export interface SiteView {
  readonly siteId: string;
  readonly counts: Readonly<Record<DeviceState, number>>;
  readonly buffered: number;
  /** ISO-8601, or null when nothing waits */
  readonly nextCutAt: string | null;
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
  /**
   * Events are already validated; authoritative dedupe happens here. `scope` decides whether a device
   * recorded at another site may be moved (default: every site, for in-process callers).
   */
  enroll(events: readonly OnboardingEvent[], scope?: SiteScope): Promise<EnrollResult>;
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
