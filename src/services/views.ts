/** Records → the API's views. Views never carry an activation code (records only hold it sealed). */
import type { BatchView, DeviceView } from '../api/services.js';
import { DEVICE_STATES, type DeviceState } from '../domain/device-state.js';
import type { BatchRecord, DeviceRecord } from '../queues/records.js';

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export function toDeviceView(d: DeviceRecord): DeviceView {
  const timestamps: Partial<Record<DeviceState, string>> = {};
  for (const s of DEVICE_STATES) {
    const t = d.times[s];
    if (t !== undefined) timestamps[s] = new Date(t).toISOString();
  }
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

export function toBatchView(b: BatchRecord, counts: Record<DeviceState, number>): BatchView {
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
    strays: b.strays,
    counts,
    error: b.error,
    createdAt: new Date(b.cutAt).toISOString(),
  };
}
