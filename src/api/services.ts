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

// Listings and the console's reads (src/api/routes/listings.ts; implemented in src/services/listing-service.ts)

/** A batch in a listing: its state and progress, without per-device counts (those need every device). */
export interface BatchSummary {
  readonly batchId: string;
  readonly siteId: string;
  readonly region: string;
  readonly state: BatchState;
  readonly blockedReason: string | null;
  readonly size: number;
  readonly registered: number;
  /** devices neither registered nor gone elsewhere */
  readonly left: number;
  readonly activationId: string | null;
  readonly expiresAt: string | null;
  readonly attempts: number;
  readonly error: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** pass as `cursor` for the next page; null when the listing is done */
  readonly nextCursor: string | null;
}

export interface ListQuery<S extends string> {
  /** the sites to list, in listing order (one site, or every site the token may read) */
  readonly siteIds: readonly string[];
  readonly state?: S;
  /** devices only: last change at or after this (ms) */
  readonly since?: number;
  readonly limit: number;
  readonly cursor?: string;
}

export interface SiteOverview extends SiteView {
  /** records removed by retention so far (cumulative): `counts` are of the records still held */
  readonly expired: { readonly registered: number; readonly failed: number };
  /** devices that became registered or failed within the overview's window */
  readonly finishedInWindow: number;
  /** batches per state (those still held) */
  readonly batches: Readonly<Partial<Record<BatchState, number>>>;
}

export interface Overview {
  readonly generatedAt: string;
  /** the window of `finishedInWindow`, ms */
  readonly windowMs: number;
  readonly sites: readonly SiteOverview[];
  /** batches waiting (blocked) with their reason, of the sites asked for */
  readonly blocked: readonly BatchSummary[];
}

export interface ListingServices {
  devices(query: ListQuery<DeviceState>): Promise<Page<DeviceView>>;
  batches(query: ListQuery<BatchState>): Promise<Page<BatchSummary>>;
  overview(siteIds: readonly string[]): Promise<Overview>;
}
