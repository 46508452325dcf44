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
}

export interface SiteView {
  readonly siteId: string;
  readonly counts: Readonly<Record<DeviceState, number>>;
  readonly buffered: number;
  /** ISO-8601, or null when nothing waits */
  readonly nextCutAt: string | null;
  /** the managed-node quota of the site's Region and where it comes from */
  readonly nodeQuota?: NodeQuotaView;
}

export interface NodeQuotaView {
  readonly region: string;
  /** `sites-file` (a configured nodeQuota) or `account` (the Region's activation tier and managed nodes) */
  readonly source: 'sites-file' | 'account';
  readonly tier: 'standard' | 'advanced' | null;
  /** managed nodes the Region takes in all; null = unlimited */
  readonly quota: number | null;
  /** managed nodes in the Region at the last reading (standard tier) */
  readonly accountNodes: number | null;
  /** room left for new batches at the last reading; null = unlimited */
  readonly room: number | null;
  readonly readAt: string | null;
  readonly error: string | null;
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
