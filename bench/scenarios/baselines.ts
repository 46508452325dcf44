/**
 * Baselines: the naive way (one activation per device) next to fleet-enroll, same devices, same emulator
 * TPS cap on CreateActivation. (The BullMQ one-job-per-event baseline runs with the ingest scenario, where
 * its figures belong.)
 */
import type { BenchOptions } from '../bench-options.js';
import { perSecond, type Row, type ScenarioResult } from '../result-file.js';
import { runEnrollmentBench } from './enrollment.js';
import { runNaive } from './naive-enrollment.js';

export async function baselinesScenario(options: BenchOptions, redisUrl: string): Promise<ScenarioResult> {
  const devices = options.naiveDevices;
  const sites = Math.min(10, devices);
  const naive = await runNaive(devices, sites, options.tps);
  const fleet = await runEnrollmentBench({ devices, sites, redisUrl, logFile: options.logFile, createActivationTps: options.tps, label: 'fleet-enroll vs naive' });
  const f = fleet.summary;
  const naiveCalls = Object.entries(naive.awsCalls).filter(([op]) => op !== 'ssm.RegisterManagedInstance').reduce((n, [, c]) => n + c, 0);
  const fleetCalls = Object.values(fleet.orchestratorCalls).reduce((n, c) => n + c, 0);
  const perDeviceMs = (ms: number, n: number): number => Math.round((ms / Math.max(1, n)) * 100) / 100;
  const rows: Row[] = [
    ['devices / sites / CreateActivation TPS cap', `${devices} / ${sites} / ${options.tps}`, 'emulator cap; fleet-enroll limiter set to the same'],
    ['naive: registered, time', `${naive.registered}, ${(naive.durationMs / 1000).toFixed(1)} s`, `${perSecond(naive.registered, naive.durationMs)} devices/s`],
    ['naive: CreateActivation calls (throttled)', `${naive.createActivationCalls} (${naive.throttled})`, 'one activation per device'],
    ['naive: AWS calls', naiveCalls, `${(naiveCalls / devices).toFixed(2)} per device (no tagging, verification or clean-up)`],
    ['naive: 1,000,000 devices, extrapolated', `${((1_000_000 / options.tps) / 3600).toFixed(1)} h`, `CreateActivation-bound: 1e6 / ${options.tps} TPS (and 1e6 live activations)`],
    ['fleet-enroll: registered, time', `${f.registered}, ${(f.durationMs / 1000).toFixed(1)} s`, `${perSecond(f.registered, f.durationMs)} devices/s`],
    ['fleet-enroll: CreateActivation calls', `${f.createActivationCalls}`, `minimum ${f.minimumActivations}`],
    ['fleet-enroll: AWS calls', fleetCalls, `${fleet.awsCallsPerDevice} per device (incl. tag, verify, clear, delete)`],
    ['time per device naive / fleet-enroll', `${perDeviceMs(naive.durationMs, naive.registered)} / ${perDeviceMs(f.durationMs, f.registered)} ms`, `fleet-enroll ${(naive.durationMs / Math.max(1, f.durationMs)).toFixed(1)}× faster`],
  ];
  return { scenario: 'baselines', rows, data: { options: { devices, sites, tps: options.tps }, naive, fleetEnroll: fleet } };
}
