/**
 * What the services answer (views and results, as the API and the CLI show them) and records → views.
 * Views never carry an activation code (records only hold it sealed).
 */
import type { BatchState } from '../domain/batch-state.js';
import { DEVICE_STATES, type DeviceState } from '../domain/device-state.js';
import type { FieldIssue } from '../domain/errors.js';
import type { DeviceHistoryEntry } from '../redis/device-store.js';
import type { BatchRecord, DeviceRecord } from '../redis/records.js';

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
  /** its managed node's device tags: pending (the tag role has not tagged it yet), tagged, refused; null when tagging is off or not due */
  readonly tagState?: 'pending' | 'tagged' | 'refused' | null;
  /** ISO-8601 when its node was tagged */
  readonly taggedAt?: string | null;
}

/** A record a re-enrollment replaced: the stored entry with its times as ISO-8601 */
export interface DeviceHistoryView extends Omit<DeviceHistoryEntry, 'times' | 'replacedAt'> {
  readonly timestamps: Readonly<Partial<Record<DeviceState, string>>>;
  readonly replacedAt: string;
}

export interface SiteView {
  readonly siteId: string;
  readonly counts: Readonly<Record<DeviceState, number>>;
  readonly buffered: number;
  /** ISO-8601, or null when nothing waits */
  readonly nextCutAt: string | null;
  /** the managed-node quota of the site's Region and where it comes from */
  readonly nodeQuota?: NodeQuotaView;
  /** registered devices whose managed node waits for its device tags */
  readonly tagBacklog?: number;
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

/** The fields every batch answer has (the single-batch view and the listing's summary) */
export interface BatchFields {
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
  readonly error: string | null;
  readonly createdAt: string;
}

export interface BatchView extends BatchFields {
  readonly strays: number;
  readonly counts: Readonly<Record<DeviceState, number>>;
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

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function isoTimes(times: Readonly<Partial<Record<DeviceState, number>>>): Partial<Record<DeviceState, string>> {
  const timestamps: Partial<Record<DeviceState, string>> = {};
  for (const s of DEVICE_STATES) {
    const t = times[s];
    if (t !== undefined) timestamps[s] = new Date(t).toISOString();
  }
  return timestamps;
}

export function toHistoryView(h: DeviceHistoryEntry): DeviceHistoryView {
  return {
    siteId: h.siteId,
    state: h.state,
    thingName: h.thingName,
    batchId: h.batchId,
    activationId: h.activationId,
    managedNodeId: h.managedNodeId,
    error: h.error,
    timestamps: isoTimes(h.times),
    replacedAt: new Date(h.replacedAt).toISOString(),
  };
}

export function toDeviceView(d: DeviceRecord): DeviceView {
  const timestamps = isoTimes(d.times);
  return {
    deviceId: d.deviceId,
    siteId: d.siteId,
    thingName: d.thingName,
    state: d.state,
    batchId: d.batchId,
    activationId: d.activationId,
    managedNodeId: d.managedNodeId,
    rebatches: d.rebatches,
    timestamps,
    updatedAt: iso(d.updatedAt),
    error: d.error,
    tagState: d.tagState,
    taggedAt: iso(d.taggedAt),
  };
}

/** The fields every answer about a batch carries (its view and its listing summary). */
export function batchFields(b: BatchRecord) {
  return {
    batchId: b.batchId,
    siteId: b.siteId,
    region: b.region,
    state: b.state,
    blockedReason: b.state === 'blocked' ? b.blockedReason : null,
    size: b.size,
    activationId: b.activationId,
    expiresAt: iso(b.expiresAt),
    attempts: b.attempts,
    error: b.error,
    createdAt: new Date(b.cutAt).toISOString(),
  };
}

export function toBatchView(b: BatchRecord, counts: Record<DeviceState, number>): BatchView {
  return { ...batchFields(b), strays: b.strays, counts };
}
