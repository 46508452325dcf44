/** Scenarios e2e (as fast as the lines can post) and latency (a steady rate). */
import type { BenchOptions } from '../bench-options.js';
import { perSecond, type Row, type ScenarioResult } from '../result-file.js';
import { runEnrollmentBench, type EnrollmentBench } from './enrollment.js';

const MB = 2 ** 20;

function costRows(b: EnrollmentBench): Row[] {
  const s = b.summary;
  const peak = b.redis.atPeakInFlight;
  return [
    ['CreateActivation calls', s.createActivationCalls, `minimum ${s.minimumActivations} (all devices within one window); activations created ${s.activations}`],
    ['AWS calls per device (orchestrator)', b.awsCallsPerDevice, Object.entries(b.orchestratorCalls).map(([op, n]) => `${op.replace(/^\w+\./, '')} ${n}`).join(', ')],
    ['Redis bytes per device in flight', peak?.bytesPerDevice ?? 'n/a', peak ? `INFO used_memory − baseline, at the most in flight (${peak.inFlight})` : 'no sample'],
    [
      '  worst sample, per device held',
      b.redis.worstPerHeld?.bytesPerDevice ?? 'n/a',
      b.redis.worstPerHeld ? `÷ devices accepted so far (${b.redis.worstPerHeld.held}, ${b.redis.worstPerHeld.inFlight} in flight): done devices keep their record; target ≤ 1,536 per device in flight` : 'no sample',
    ],
    s.details.rolesProcess
      ? ['orchestrator peak RSS', `${Math.round(s.details.peakRssBytes / MB)} + ${Math.round(s.details.rolesProcess.peakRssBytes / MB)} MB`, 'api+intake+activation+delivery (+ the factory lines) / ack+reconcile']
      : ['orchestrator peak RSS', `${Math.round(s.details.peakRssBytes / MB)} MB`, 'API + all worker roles + factory lines, one process'],
    ['orchestrator CPU', `${b.orchestratorCores} cores`, `${b.orchestratorCpuSeconds} CPU s`],
  ];
}

export async function e2eScenario(options: BenchOptions, redisUrl: string): Promise<ScenarioResult> {
  const b = await runEnrollmentBench({
    devices: options.devices,
    sites: options.sites,
    redisUrl,
    logFile: options.logFile,
    label: 'e2e',
    ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
  });
  const s = b.summary;
  const rows: Row[] = [
    ['devices / sites', `${s.devices} / ${s.sites}`],
    ['registered / failed', `${s.registered} / ${s.failed}`, s.details.timedOut ? 'TIMED OUT' : 'run complete'],
    ['duration', `${(s.durationMs / 1000).toFixed(1)} s`],
    ['devices/s accepted → registered', perSecond(s.registered, s.durationMs), 'target ≥ 5,000'],
    ['latency accept → credentials p50/p95/p99', `${s.latencyMs.credentials.p50}/${s.latencyMs.credentials.p95}/${s.latencyMs.credentials.p99} ms`, 'lines post as fast as accepted'],
    ['latency accept → registered p50/p95/p99', `${s.latencyMs.registered.p50}/${s.latencyMs.registered.p95}/${s.latencyMs.registered.p99} ms`],
    ...costRows(b),
    ['activations / retained left', `${s.details.liveActivationsLeft} / ${s.details.retainedMessagesLeft}`],
  ];
  return { scenario: 'e2e', rows, data: { options: { devices: options.devices, sites: options.sites }, ...b } };
}

export async function latencyScenario(options: BenchOptions, redisUrl: string): Promise<ScenarioResult> {
  const windowMs = 1000;
  const b = await runEnrollmentBench({
    devices: options.latencyDevices,
    sites: options.latencySites,
    redisUrl,
    logFile: options.logFile,
    ratePerSecond: options.rate,
    // small requests: the arrival is steady, not a burst per second
    chunk: Math.max(1, Math.round(options.rate / options.latencySites / 10)),
    batchWindowMs: windowMs,
    label: 'latency',
  });
  const s = b.summary;
  const c = s.latencyMs.credentials;
  const r = s.latencyMs.registered;
  const rows: Row[] = [
    ['devices / sites / rate', `${s.devices} / ${s.sites} / ${options.rate}/s`, `batch window ${windowMs} ms, maxBatchSize 1000`],
    ['registered / failed', `${s.registered} / ${s.failed}`, s.details.timedOut ? 'TIMED OUT' : 'run complete'],
    ['accept → credentials p50', `${c.p50} ms`],
    ['accept → credentials p95', `${c.p95} ms`],
    ['accept → credentials p99', `${c.p99} ms`, `target ≤ window + 500 = ${windowMs + 500} ms: ${c.p99 <= windowMs + 500 ? 'met' : 'MISSED'}`],
    ['accept → registered p50/p95/p99', `${r.p50}/${r.p95}/${r.p99} ms`],
    ...Object.entries(s.details.stageLatencyMs).map(([stage, p]): Row => [`  stage → ${stage} p50/p99`, `${p.p50}/${p.p99} ms`, 'from the stage before']),
    ...costRows(b),
  ];
  return { scenario: 'latency', rows, data: { options: { devices: options.latencyDevices, sites: options.latencySites, rate: options.rate, windowMs }, ...b } };
}
