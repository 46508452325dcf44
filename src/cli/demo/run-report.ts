/** The demo's final report: a table for people, one JSON object for programs (`demo --json`, docs/CONTRACT.md). */
import { renderTable } from '../table.js';
import type { RunSummary } from './enrollment-run.js';

const ms = (n: number): string => `${Math.round(n).toLocaleString('en-US')} ms`;

export function renderReport(s: RunSummary): string {
  const ok = s.registered === s.devices;
  const rows: [string, string | number][] = [
    ['devices', s.devices],
    ['sites', s.sites],
    ['registered', s.registered],
    ['failed', s.failed],
    ['activations created', `${s.activations.toLocaleString('en-US')} (minimum ${s.minimumActivations.toLocaleString('en-US')})`],
    ['CreateActivation calls', s.createActivationCalls],
    ['retries', s.retries],
    ['throttles', s.throttles],
    ['worker restarts', s.details.workerRestarts],
    ['activations left live', s.details.liveActivationsLeft],
    ['retained credentials left', s.details.retainedMessagesLeft],
    ['duration', ms(s.durationMs)],
    ['devices/s', s.devicesPerSecond],
  ];
  const summary = renderTable([{ header: 'enrollment' }, { header: 'result', align: 'right' }], rows);
  const latency = renderTable(
    [{ header: 'latency' }, { header: 'p50', align: 'right' }, { header: 'p95', align: 'right' }, { header: 'p99', align: 'right' }],
    [
      ['202 → credentials', ms(s.latencyMs.credentials.p50), ms(s.latencyMs.credentials.p95), ms(s.latencyMs.credentials.p99)],
      ['202 → registered', ms(s.latencyMs.registered.p50), ms(s.latencyMs.registered.p95), ms(s.latencyMs.registered.p99)],
    ],
  );
  const verdict = ok
    ? `every device registered.`
    : s.details.timedOut
      ? `NOT every device registered: stopped waiting with ${(s.devices - s.registered - s.failed).toLocaleString('en-US')} still in flight.`
      : `NOT every device registered: ${s.failed.toLocaleString('en-US')} failed (see fleet-enroll status).`;
  return `\n${summary}\n${latency}\n${verdict}\n`;
}

/** the contract's fields, in its order, then the details */
export function reportJson(s: RunSummary): string {
  const { details, ...fields } = s;
  return JSON.stringify({ ...fields, details });
}
