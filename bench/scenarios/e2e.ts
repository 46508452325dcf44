/**
 * Scenarios e2e (as fast as the lines can post, 1,000-device requests per site), e2e-random (the same, but
 * requests of random sizes from all sites in a random order, so that the batches are the cutter's work, not
 * the poster's) and latency (a steady rate).
 */
import type { Role } from '../../src/app.js';
import type { BenchOptions } from '../bench-options.js';
import { perSecond, type ExtraTable, type Row, type ScenarioResult } from '../result-file.js';
import type { PerRecord } from '../redis-memory.js';
import type { LatencySlice } from '../../src/cli/demo/percentiles.js';
import { ackPathRows } from './ack-path-rows.js';
import { runEnrollmentBench, type PrivateBroker, type EnrollmentBench } from './enrollment.js';

const MB = 2 ** 20;
const E2E_WINDOW_MS = 1000;
/** longer than the posting phase at 100,000 devices, so that every site's devices can arrive within one window */
const RANDOM_WINDOW_MS = 60_000;

function activationRows(b: EnrollmentBench, windowMs: number): Row[] {
  const s = b.summary;
  const d = s.details;
  const within = d.sitesOverOneWindow === 0;
  return [
    ['requests posted', d.requests, ''],
    [
      'CreateActivation calls',
      s.createActivationCalls,
      `activations created ${s.activations}; minimum ${s.minimumActivations} (Σ ceil(site devices / maxBatchSize)), ` +
        (within
          ? `which holds: every site's devices entered its buffer within one ${windowMs} ms window`
          : `a lower bound only: ${d.sitesOverOneWindow} of ${s.sites} sites' devices entered the buffer over more than one ${windowMs} ms window; the cut rule on their buffer times, every cut on time, makes ${d.batchesByCutRule}`),
    ],
  ];
}

/** what a memory sample held: accepted devices not yet records wait as intake jobs, counted in the bytes but not the divisor */
const held = (r: PerRecord): string =>
  `${r.records} records; ${r.accepted} accepted, ${r.inFlight} in flight` + (r.accepted > r.records ? `, ${r.accepted - r.records} still in the intake queue` : '');

function costRows(b: EnrollmentBench): Row[] {
  const s = b.summary;
  const peak = b.redis.atPeakMemory;
  const worst = b.redis.worstPerRecord;
  return [
    ['AWS calls per device (orchestrator)', b.awsCallsPerDevice, Object.entries(b.orchestratorCalls).map(([op, n]) => `${op.replace(/^\w+\./, '')} ${n}`).join(', ')],
    [
      'Redis bytes per device record, at peak memory',
      peak?.bytesPerDevice ?? 'n/a',
      peak ? `(used_memory − baseline) ÷ device records in Redis, at the highest used_memory (${held(peak)}); target ≤ 1,536 per device in flight` : 'no sample',
    ],
    [
      '  worst sample',
      worst?.bytesPerDevice ?? 'n/a',
      worst ? `the highest over ${b.redis.samples} samples with ≥ a tenth of the devices as records (${held(worst)})` : 'no sample',
    ],
    rssRow(s),
    ['orchestrator CPU', `${b.orchestratorCores} cores`, `${b.orchestratorCpuSeconds} CPU s`],
  ];
}

/** each orchestrator process's peak RSS (this process's too when it ran roles: with the factory lines) */
function rssRow(s: EnrollmentBench['summary']): Row {
  const mb = (bytes: number): number => Math.round(bytes / MB);
  const here = s.details.rolesHere;
  const children = s.details.rolesProcesses ?? [];
  const parts = [...(here.length > 0 ? [{ roles: here, peakRssBytes: s.details.peakRssBytes }] : []), ...children];
  const note = parts.map((p, i) => `${p.roles.join('+')}${i === 0 && here.length > 0 ? ' (+ the factory lines)' : ''}`).join(' / ');
  const bench = here.length > 0 ? '' : `; the bench process (lines, sampling) ${mb(s.details.peakRssBytes)} MB`;
  return ['orchestrator peak RSS', `${parts.map((p) => mb(p.peakRssBytes)).join(' + ')} MB`, `${note}${bench}; target ≤ 300 MB each at 1M`];
}

/** CPU seconds per process from the first request until every device was done, and per device registered */
function cpuTable(b: EnrollmentBench): ExtraTable[] {
  if (b.cpuByProcess.length === 0) return [];
  const devices = Math.max(1, b.summary.registered);
  const perDevice = (s: number): string => (s / devices * 1000).toFixed(3);
  const total = b.cpuByProcess.reduce((n, p) => n + p.cpuSeconds, 0);
  return [
    {
      title: `CPU per process (/proc/<pid>/stat, first request → every device done; per device: ÷ ${b.summary.registered} registered)`,
      header: ['process', 'CPU s', 'CPU ms per device', 'runs'],
      rows: [...b.cpuByProcess.map((p) => [p.name, p.cpuSeconds.toFixed(1), perDevice(p.cpuSeconds), p.runs]), ['all', total.toFixed(1), perDevice(total), '']],
    },
  ];
}

/** 202 → credentials over the run: a tail from the start-up (connections, JIT, the first batches) shows apart from the steady state */
function sliceTable(slices: readonly LatencySlice[], windowMs: number): ExtraTable {
  return {
    title: `202 → credentials by when the 202 came (slices of the run; target p99 ≤ ${windowMs + 500} ms)`,
    header: ['202 received at', 'devices', 'p50 ms', 'p95 ms', 'p99 ms'],
    rows: slices.map((x) => [`${x.fromMs / 1000}–${x.toMs / 1000} s`, String(x.samples), String(x.p50), String(x.p95), String(x.p99)]),
  };
}

function throughputRows(b: EnrollmentBench, note: string): Row[] {
  const s = b.summary;
  const c = s.latencyMs.credentials;
  const r = s.latencyMs.registered;
  return [
    ['devices / sites', `${s.devices} / ${s.sites}`],
    ['registered / failed', `${s.registered} / ${s.failed}`, s.details.timedOut ? 'TIMED OUT' : 'run complete'],
    ['duration', `${(s.durationMs / 1000).toFixed(1)} s`],
    ['devices/s first request → last registered', perSecond(s.registered, s.durationMs), 'target ≥ 2,000 at 100,000 devices'],
    ['latency 202 → credentials p50/p95/p99', `${c.p50}/${c.p95}/${c.p99} ms`, note],
    ['latency 202 → registered p50/p95/p99', `${r.p50}/${r.p95}/${r.p99} ms`],
  ];
}

async function e2eRun(options: BenchOptions, redisUrl: string, mosquitto: PrivateBroker | undefined, random: boolean): Promise<ScenarioResult> {
  const windowMs = options.windowMs ?? (random ? RANDOM_WINDOW_MS : E2E_WINDOW_MS);
  const randomRequests = random ? { minSize: 1, maxSize: options.requestMax, seed: options.seed } : undefined;
  const b = await runEnrollmentBench({
    devices: options.devices,
    sites: options.sites,
    redisUrl,
    logFile: options.logFile,
    batchWindowMs: windowMs,
    label: random ? 'e2e-random' : 'e2e',
    ...(randomRequests ? { randomRequests } : {}),
    ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
    ...(mosquitto ? { mosquitto } : {}),
  });
  const s = b.summary;
  const posting = random
    ? `32 posters, requests of 1–${options.requestMax} devices (seed ${options.seed}), all sites' in a random order; batch window ${windowMs} ms, maxBatchSize 1000: each site's last partial batch waits out the window, in devices/s and latency`
    : `32 factory lines, 1,000-device requests per site in order; batch window ${windowMs} ms, maxBatchSize 1000`;
  const rows: Row[] = [
    ['posting', random ? 'random' : 'aligned', posting],
    ...throughputRows(b, 'from the 202 of the request carrying the device; lines post as fast as accepted'),
    ...activationRows(b, windowMs),
    ...costRows(b),
    ['activations / retained left', `${s.details.liveActivationsLeft} / ${s.details.retainedMessagesLeft}`],
    ...ackPathRows(s.details.acks, b.broker),
  ];
  return {
    scenario: random ? 'e2e-random' : 'e2e',
    rows,
    tables: cpuTable(b),
    data: { options: { devices: options.devices, sites: options.sites, windowMs, broker: b.broker.kind, ...(randomRequests ? { randomRequests } : {}) }, ...b },
  };
}

export const e2eScenario = (options: BenchOptions, redisUrl: string, mosquitto: PrivateBroker | undefined): Promise<ScenarioResult> => e2eRun(options, redisUrl, mosquitto, false);

/** each worker role in an orchestrator process of its own: the CPU table then reads per stage */
const STAGE_GROUPS: readonly (readonly Role[])[] = [['intake'], ['activation'], ['delivery'], ['ack'], ['reconcile'], ['tag']];

/** Scenario stages: e2e with every worker role in a process of its own, for the CPU each stage costs per device. */
export async function stagesScenario(options: BenchOptions, redisUrl: string, mosquitto: PrivateBroker | undefined): Promise<ScenarioResult> {
  const b = await runEnrollmentBench({
    devices: options.devices,
    sites: options.sites,
    redisUrl,
    logFile: options.logFile,
    batchWindowMs: options.windowMs ?? E2E_WINDOW_MS,
    label: 'stages',
    roleGroups: STAGE_GROUPS,
    ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
    ...(mosquitto ? { mosquitto } : {}),
  });
  const rows: Row[] = [
    ['processes', 'api; intake (+ cut); activation; delivery; ack; reconcile (verify, expire, re-drive, retention); tag', 'one orchestrator process per stage; the factory lines in the bench process'],
    ...throughputRows(b, 'from the 202 of the request carrying the device'),
    ['AWS calls per device (orchestrator)', b.awsCallsPerDevice, Object.entries(b.orchestratorCalls).map(([op, n]) => `${op.replace(/^\w+\./, '')} ${n}`).join(', ')],
    ...ackPathRows(b.summary.details.acks, b.broker),
  ];
  return { scenario: 'stages', rows, tables: cpuTable(b), data: { options: { devices: options.devices, sites: options.sites, broker: b.broker.kind }, ...b } };
}
export const e2eRandomScenario = (options: BenchOptions, redisUrl: string, mosquitto: PrivateBroker | undefined): Promise<ScenarioResult> => e2eRun(options, redisUrl, mosquitto, true);

/** requests a latency line may have unanswered: ten requests a second per line, so a second's worth and more */
const LATENCY_LINE_IN_FLIGHT = 16;

export async function latencyScenario(options: BenchOptions, redisUrl: string, mosquitto: PrivateBroker | undefined): Promise<ScenarioResult> {
  const windowMs = 1000;
  const b = await runEnrollmentBench({
    devices: options.latencyDevices,
    sites: options.latencySites,
    redisUrl,
    logFile: options.logFile,
    ratePerSecond: options.rate,
    // small requests: the arrival is steady, not a burst per second
    chunk: Math.max(1, Math.round(options.rate / options.latencySites / 10)),
    // open loop: each line keeps its schedule while answers are slow, so the rate is the rate asked for
    lineMaxInFlight: LATENCY_LINE_IN_FLIGHT,
    batchWindowMs: windowMs,
    label: 'latency',
    ...(mosquitto ? { mosquitto } : {}),
  });
  const s = b.summary;
  const c = s.latencyMs.credentials;
  const r = s.latencyMs.registered;
  const steady = s.details.credentialsLatencySteady;
  const rows: Row[] = [
    ['devices / sites / rate', `${s.devices} / ${s.sites} / ${options.rate}/s`, `batch window ${windowMs} ms, maxBatchSize 1000`],
    ['rate kept by the lines', perSecond(s.devices, s.details.postingMs), `first 202 → last 202 in ${(s.details.postingMs / 1000).toFixed(1)} s; each line posts on schedule with up to ${LATENCY_LINE_IN_FLIGHT} requests unanswered`],
    ['registered / failed', `${s.registered} / ${s.failed}`, s.details.timedOut ? 'TIMED OUT' : 'run complete'],
    ['202 → credentials p50', `${c.p50} ms`, 'from the 202 of the request carrying the device'],
    ['202 → credentials p95', `${c.p95} ms`],
    ['202 → credentials p99', `${c.p99} ms`, `every device, from the cold start (processes just started, connections opening); target ≤ window + 500 = ${windowMs + 500} ms: ${c.p99 <= windowMs + 500 ? 'met' : 'missed'}`],
    [
      `202 → credentials p99, steady (after the first ${steady.afterMs / 1000} s)`,
      `${steady.p99} ms`,
      `${steady.samples} devices whose 202 came later (p50/p95 ${steady.p50}/${steady.p95} ms); target ≤ ${windowMs + 500} ms: ${steady.p99 <= windowMs + 500 ? 'met' : 'MISSED'}`,
    ],
    ['202 → registered p50/p95/p99', `${r.p50}/${r.p95}/${r.p99} ms`],
    ...Object.entries(s.details.stageLatencyMs).map(
      ([stage, p]): Row => [`  stage → ${stage} p50/p99`, `${p.p50}/${p.p99} ms`, stage === 'intake' ? 'intake job ran (tAcc) − 202 received; negative: before the client read the 202' : 'from the stage before'],
    ),
    ...activationRows(b, windowMs),
    ...costRows(b),
    ...ackPathRows(s.details.acks, b.broker),
  ];
  return {
    scenario: 'latency',
    rows,
    tables: [sliceTable(s.details.credentialsLatencyBySlice, windowMs), ...cpuTable(b)],
    data: { options: { devices: options.latencyDevices, sites: options.latencySites, rate: options.rate, windowMs, broker: b.broker.kind }, ...b },
  };
}
