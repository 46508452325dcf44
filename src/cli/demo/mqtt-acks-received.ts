/**
 * The acks a process's ack role took from MQTT, by the AckService's verdict (accepted, stale, forged,
 * claimed, invalid), read from that process's `fleet_acks_total`: counted once handled, so an ack still in
 * the handler is not in it yet.
 */
import type { Metrics } from '../../adapters/metrics.js';

export type AcksByResult = Record<string, number>;

export async function mqttAcksReceived(metrics: Metrics): Promise<AcksByResult> {
  const counts: AcksByResult = {};
  for (const v of (await metrics.acks.get()).values) {
    if (v.labels.source !== 'mqtt') continue;
    const result = String(v.labels.result);
    counts[result] = (counts[result] ?? 0) + v.value;
  }
  return counts;
}

/** the counts of several processes together */
export function addAckCounts(...parts: readonly AcksByResult[]): AcksByResult {
  const sum: AcksByResult = {};
  for (const part of parts) for (const [result, n] of Object.entries(part)) sum[result] = (sum[result] ?? 0) + n;
  return sum;
}
