/**
 * What the HTTP API needs from the rest of the system. Implemented in src/services (which own the views
 * and results, src/services/views.ts), built by src/app.ts, passed to buildApi().
 */
import type { OnboardingEvent } from '../domain/onboarding-event.js';
import type { AckMessage } from '../domain/messages.js';
import type { AckOutcome, BatchView, DeviceView, EnrollResult, ReadinessReport, RetryResult, SiteScope, SiteView } from '../services/views.js';

export type {
  AckOutcome,
  BatchView,
  DeviceHistoryView,
  DeviceView,
  EnrollResult,
  EventRejection,
  NodeQuotaView,
  ReadinessReport,
  RetryResult,
  SiteScope,
  SiteView,
} from '../services/views.js';

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

export type { BatchSummary, ListingServices, ListQuery, Overview, Page, SiteOverview } from '../services/listing-views.js';
