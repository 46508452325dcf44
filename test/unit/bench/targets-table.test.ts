import { describe, expect, it } from 'vitest';
import type { NamedResult, ResultFile } from '../../../bench/readme-tables.js';
import { renderTargets } from '../../../bench/targets-table.js';

const base = (scenario: string, options: Record<string, unknown>, data: Record<string, unknown>): ResultFile =>
  ({ scenario, startedAt: '2026-01-01T00:00:00.000Z', command: 'npm run bench', table: [], options, ...data }) as ResultFile;
const summary = (over: Record<string, unknown>, details: Record<string, unknown> = {}) => ({
  devices: 1000,
  sites: 10,
  registered: 1000,
  failed: 0,
  durationMs: 2000,
  activations: 10,
  minimumActivations: 10,
  createActivationCalls: 10,
  latencyMs: { credentials: { p50: 500, p95: 900, p99: 1200 } },
  ...over,
  details: { liveActivationsLeft: 0, retainedMessagesLeft: 0, peakRssBytes: 200 * 2 ** 20, ...details },
});

const results: NamedResult[] = [
  {
    path: 'bench/results/1-ingest.json',
    result: base('ingest', {}, { api: { acceptedPerSecond: 60_000, processedPerSecond: 30_000 }, intakeQueue: { processedPerSecond: 40_000 }, bullmqOneJobPerEvent: { acceptedPerSecond: 20_000, processedPerSecond: 10_000 } }),
  },
  // an old result file: memory ÷ devices in flight
  { path: 'bench/results/2-e2e.json', result: base('e2e', { devices: 100000 }, { summary: summary({}), redis: { atPeakInFlight: { bytesPerDevice: 245 } } }) },
  // a new one: per device record, and the arrivals for the activation check
  {
    path: 'bench/results/3-e2e-random.json',
    result: base('e2e-random', { devices: 100000 }, { summary: summary({ createActivationCalls: 12 }, { requests: 90, sitesOverOneWindow: 2, batchesByCutRule: 13 }), redis: { atPeakMemory: { bytesPerDevice: 700 }, worstPerRecord: { bytesPerDevice: 1600 } } }),
  },
  { path: 'bench/results/4-latency.json', result: base('latency', { windowMs: 1000, rate: 1000 }, { summary: summary({}, { requests: 300, sitesOverOneWindow: 0 }), redis: { atPeakMemory: { bytesPerDevice: 600 } } }) },
];

describe('renderTargets', () => {
  const md = renderTargets(results);
  const row = (target: string): string => md.split('\n').find((l) => l.startsWith(`| ${target}`)) ?? '';

  it('compares like with like against BullMQ', () => {
    expect(row('… faster')).toContain('accepted 60,000/s vs BullMQ added 20,000/s: **3.0×**; processed 30,000/s vs BullMQ processed 10,000/s: **3.0×**');
    expect(row('Ingest')).toContain('| met |');
  });

  it('judges activations against the cut rule when sites spanned more than a window', () => {
    expect(row('CreateActivation')).toContain("e2e-random 12 (minimum 10 not reachable: 2 sites' devices arrived over more than one window; the cut rule on their arrivals makes 13)");
    expect(row('CreateActivation')).toContain('| met |');
  });

  it('says which memory method a figure was measured with, and misses on the worst sample', () => {
    expect(row('Redis')).toContain('e2e 245 B ÷ devices in flight (old method)');
    expect(row('Redis')).toContain('e2e-random 700 B per device record at peak used_memory, worst sample 1,600 B');
    expect(row('Redis')).toContain('**missed**');
  });

  it('measures latency from the 202 in new result files', () => {
    expect(row('p99')).toContain('p99 **1,200 ms**');
    expect(row('p99')).toContain('from the 202');
    expect(row('p99')).toContain('| met |');
  });

  it('judges latency on the steady state when the result has it, the cold start shown beside it', () => {
    const steady: NamedResult = {
      path: 'bench/results/5-latency.json',
      result: base('latency', { windowMs: 1000, rate: 1000 }, {
        summary: summary({ latencyMs: { credentials: { p50: 600, p95: 1200, p99: 1700 } } }, { requests: 300, credentialsLatencySteady: { afterMs: 5000, samples: 800, p50: 550, p95: 1050, p99: 1180 } }),
      }),
    };
    const line = renderTargets([...results, steady]).split('\n').find((l) => l.startsWith('| p99')) ?? '';
    expect(line).toContain('steady (202 after the first 5 s): p99 **1,180 ms**');
    expect(line).toContain('every device, the cold start included (shown, not judged: over the target): p99 **1,700 ms**');
    expect(line).toContain('| met |');
    const missed: NamedResult = { ...steady, path: 'bench/results/6-latency.json', result: { ...steady.result, summary: summary({}, { requests: 300, credentialsLatencySteady: { afterMs: 5000, samples: 800, p50: 900, p95: 1400, p99: 1600 } }) } as ResultFile };
    expect(renderTargets([...results, missed]).split('\n').find((l) => l.startsWith('| p99'))).toContain('**missed**');
  });

  it('has no 1M rows without a 1M result, and misses 2,000 devices/s at 500, judged at 100,000 devices only', () => {
    expect(md).not.toContain('1,000,000 devices across');
    expect(row('End to end')).toContain('e2e **500 devices/s (1,000 devices / 10 sites)**');
    expect(row('End to end')).toContain('shown, not judged: e2e-random 500 devices/s');
    expect(row('End to end')).toContain('**missed**');
    // no CPU per process in the old file: nothing to judge
    expect(row("… the orchestrator's processes")).toContain('| no result |');
  });

  it("judges the orchestrator's CPU per device (its processes' CPU seconds ÷ devices) and the rate at 100,000 devices", () => {
    const e2e = (orchestratorSeconds: readonly number[], durationMs: number): NamedResult => ({
      path: 'bench/results/7-e2e.json',
      result: base('e2e', { devices: 100000 }, {
        summary: summary({ durationMs }),
        cpuByProcess: [{ name: 'bench', cpuSeconds: 5 }, ...orchestratorSeconds.map((cpuSeconds, i) => ({ name: `orchestrator (${i})`, cpuSeconds })), { name: 'emulator', cpuSeconds: 9 }],
      }),
    });
    const rowsOf = (r: NamedResult): string[] => renderTargets([r]).split('\n');
    const fast = rowsOf(e2e([0.15, 0.05], 400));
    expect(fast.find((l) => l.startsWith('| End to end'))).toContain('e2e **2,500 devices/s');
    expect(fast.find((l) => l.startsWith('| End to end'))).toContain('| met |');
    expect(fast.find((l) => l.startsWith("| … the orchestrator's"))).toContain('e2e **0.200 ms**');
    expect(fast.find((l) => l.startsWith("| … the orchestrator's"))).toContain('| met |');
    const slow = rowsOf(e2e([0.2, 0.1], 800));
    expect(slow.find((l) => l.startsWith('| End to end'))).toContain('**missed**');
    expect(slow.find((l) => l.startsWith("| … the orchestrator's"))).toContain('e2e **0.300 ms**');
    expect(slow.find((l) => l.startsWith("| … the orchestrator's"))).toContain('**missed**');
  });
});

describe('renderTargets: orchestrator RSS at 1M', () => {
  const million = (details: Record<string, unknown>): NamedResult => ({
    path: 'bench/results/9-e2e.json',
    result: base('e2e', { devices: 1_000_000 }, { summary: summary({ devices: 1_000_000, registered: 1_000_000 }, details) }),
  });
  const rssRow = (r: NamedResult): string => renderTargets([r]).split('\n').find((l) => l.startsWith('| Orchestrator RSS')) ?? '';
  const MB = 2 ** 20;

  it('counts the main process when it ran roles (older results), next to the child', () => {
    const row = rssRow(million({ peakRssBytes: 500 * MB, rolesProcesses: [{ roles: ['ack', 'reconcile', 'tag'], peakRssBytes: 250 * MB }] }));
    expect(row).toContain('500 MB main process');
    expect(row).toContain('250 MB ack+reconcile+tag');
    expect(row).toContain('**missed**');
  });

  it('judges each orchestrator child, not the bench process, when every role ran in a child', () => {
    const children = [
      { roles: ['api', 'intake', 'activation', 'delivery'], peakRssBytes: 280 * MB },
      { roles: ['ack', 'reconcile', 'tag'], peakRssBytes: 290 * MB },
    ];
    const met = rssRow(million({ peakRssBytes: 900 * MB, rolesHere: [], rolesProcesses: children }));
    expect(met).not.toContain('main process');
    expect(met).toContain('280 MB api+intake+activation+delivery + 290 MB ack+reconcile+tag');
    expect(met).toContain('| met |');
    const over = rssRow(million({ peakRssBytes: 100 * MB, rolesHere: [], rolesProcesses: [children[0], { ...children[1]!, peakRssBytes: 301 * MB }] }));
    expect(over).toContain('**missed**');
  });
});
