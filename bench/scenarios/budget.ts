/**
 * Scenario budget: the orchestrator at its default AWS budgets (FLEET_SSM_RPS, FLEET_CREATE_ACTIVATION_RPS,
 * FLEET_IOT_PUBLISH_RPS, FLEET_TAG_RPS) against an emulator whose TPS caps are the same figures, so the
 * account's rates — not this machine — set the pace. Reports the time to every device registered, the
 * 1,000,000-device time that rate gives, and the SSM calls per device on the critical path (AddTagsToResource
 * is not: the tag role follows at its own budget).
 */
import { loadConfig } from '../../src/config.js';
import type { FaultConfig } from '../../src/emulator/index.js';
import type { BenchOptions } from '../bench-options.js';
import { perSecond, type Row, type ScenarioResult } from '../result-file.js';
import { ackPathRows } from './ack-path-rows.js';
import { runEnrollmentBench, type PrivateBroker } from './enrollment.js';

/** the SSM calls `registered` waits for; AddTagsToResource follows it */
const CRITICAL_SSM = ['ssm.CreateActivation', 'ssm.DescribeActivations', 'ssm.DescribeInstanceInformation', 'ssm.DeleteActivation'];

export async function budgetScenario(options: BenchOptions, redisUrl: string, mosquitto: PrivateBroker | undefined): Promise<ScenarioResult> {
  // the defaults, from the one config (no environment: what a new deployment gets)
  const rates = loadConfig({ env: {}, allowGeneratedSecretKey: true }).rateLimits;
  const faults: FaultConfig = {
    'ssm.CreateActivation': { tps: rates.createActivationPerSecond },
    'ssm.DescribeActivations': { tps: rates.ssmPerSecond },
    'ssm.DescribeInstanceInformation': { tps: rates.ssmPerSecond },
    'ssm.DeleteActivation': { tps: rates.ssmPerSecond },
    'ssm.AddTagsToResource': { tps: rates.tagPerSecond },
    'iotdata.Publish': { tps: rates.iotPublishPerSecond },
  };
  const b = await runEnrollmentBench({
    devices: options.devices,
    sites: options.sites,
    redisUrl,
    logFile: options.logFile,
    batchWindowMs: 1_000,
    label: 'budget',
    defaultBudgets: { faults },
    ...(mosquitto ? { mosquitto } : {}),
  });
  const s = b.summary;
  const critical = CRITICAL_SSM.reduce((n, op) => n + (b.orchestratorCalls[op] ?? 0), 0);
  const rate = s.registered / (s.durationMs / 1_000);
  const millionMinutes = 1_000_000 / rate / 60;
  const rows: Row[] = [
    ['budgets (per second)', `SSM ${rates.ssmPerSecond}, CreateActivation ${rates.createActivationPerSecond}, Publish ${rates.iotPublishPerSecond}, tags ${rates.tagPerSecond}`, "the orchestrator's defaults; the emulator's TPS caps are the same"],
    ['devices / sites', `${s.devices} / ${s.sites}`, 'batch window 1000 ms, maxBatchSize 1000'],
    ['registered / failed', `${s.registered} / ${s.failed}`, s.details.timedOut ? 'TIMED OUT' : 'run complete'],
    ['time to every device registered', `${(s.durationMs / 1000).toFixed(1)} s`],
    ['devices/s first request → last registered', perSecond(s.registered, s.durationMs), 'target ≥ 1,100'],
    ['1,000,000 devices at that rate', `${millionMinutes.toFixed(1)} min`, `target ≤ 15 min: ${millionMinutes <= 15 ? 'met' : 'MISSED'}`],
    ['SSM calls per device on the critical path', (critical / Math.max(1, s.devices)).toFixed(3), `${CRITICAL_SSM.map((op) => `${op.slice(4)} ${b.orchestratorCalls[op] ?? 0}`).join(', ')}; target ≤ 0.05`],
    ['AddTagsToResource by then', b.orchestratorCalls['ssm.AddTagsToResource'] ?? 0, `off the critical path: the tag role goes on at ${rates.tagPerSecond}/s`],
    ['throttled by the emulator', s.throttles, 'calls answered ThrottlingException (the limiter adapts below its ceilings)'],
    ['CreateActivation calls', s.createActivationCalls, `minimum ${s.minimumActivations}`],
    ['orchestrator CPU', `${b.orchestratorCores} cores`, `${b.orchestratorCpuSeconds} CPU s`],
    ...ackPathRows(s.details.acks, b.broker),
  ];
  return { scenario: 'budget', rows, data: { options: { devices: options.devices, sites: options.sites, faults, broker: b.broker.kind }, ...b } };
}
