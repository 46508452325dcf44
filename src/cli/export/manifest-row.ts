/** The enrolled manifest's columns (`fleet-enroll export`), one row per device. */
import type { DeviceView } from '../../api/services.js';

export const MANIFEST_COLUMNS = [
  'deviceId',
  'siteId',
  'thingName',
  'state',
  'managedNodeId',
  'activationId',
  'batchId',
  'acceptedAt',
  'batchedAt',
  'activatedAt',
  'deliveredAt',
  'ackedAt',
  'registeredAt',
  'failedAt',
  'updatedAt',
  'error',
] as const;

export type ManifestColumn = (typeof MANIFEST_COLUMNS)[number];
export type ManifestRow = Record<ManifestColumn, string | null>;

export function toManifestRow(d: DeviceView): ManifestRow {
  const t = d.timestamps;
  return {
    deviceId: d.deviceId,
    siteId: d.siteId,
    thingName: d.thingName,
    state: d.state,
    managedNodeId: d.managedNodeId,
    activationId: d.activationId,
    batchId: d.batchId,
    acceptedAt: t.accepted ?? null,
    batchedAt: t.batched ?? null,
    activatedAt: t.activated ?? null,
    deliveredAt: t.delivered ?? null,
    ackedAt: t.acked ?? null,
    registeredAt: t.registered ?? null,
    failedAt: t.failed ?? null,
    updatedAt: d.updatedAt,
    error: d.error,
  };
}
