/**
 * One chaos scenario, sized by its caller: an enrollment through the roles as separate `fleet-enroll serve`
 * processes while random role processes are SIGKILLed at random moments and restarted, the private Redis
 * (AOF, appendfsync everysec, rewrites off) is SIGKILLed and restarted mid-run, and the emulator throttles,
 * fails, delays and drops CreateActivation answers throughout (optionally with a read-after-write delay on
 * the SSM reads). `npm run chaos` runs it big; `npm test` runs a short one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Role } from '../../../src/app.js';
import { CHAOS_FAULTS } from '../../../src/cli/demo/enrollment-run.js';
import { deviceIdFor, runFactoryLine } from '../../../src/cli/demo/factory-line.js';
import type { FaultConfig } from '../../../src/emulator/index.js';
import { FleetCluster } from './fleet-cluster.js';
import { checkInvariants } from './invariant-report.js';
import type { ChaosFigures } from './chaos-figures.js';

/** the orchestrator's settings in every chaos run: short intervals and retries, budgets the emulator can carry */
export const CHAOS_ORCHESTRATOR_ENV: Readonly<Record<string, string>> = {
  FLEET_RECONCILE_INTERVAL_MS: '250',
  FLEET_RETRY_BASE_MS: '100',
  FLEET_RETRY_MAX_MS: '2000',
  FLEET_CREATE_ACTIVATION_RPS: '20',
  FLEET_SSM_RPS: '1000',
  FLEET_IOT_PUBLISH_RPS: '5000',
};

export interface ChaosScenario {
  readonly command: string;
  readonly devices: number;
  readonly sites: number;
  readonly maxBatchSize: number;
  /** SIGKILLs of role processes, at least */
  readonly kills: number;
  /** devices/s posted, over all sites */
  readonly rate: number;
  readonly seed: number;
  readonly groups: readonly (readonly Role[])[];
  /** ms between chaos events: [least, least + spread) */
  readonly pauseMs: readonly [number, number];
  /** read-after-write delay on DescribeActivations / DescribeInstanceInformation (0: none) */
  readonly consistencyDelayMs: number;
  readonly drainTimeoutMs: number;
  readonly keepFiles: boolean;
  readonly log: (line: string) => void;
}

export interface ChaosOutcome {
  readonly figures: ChaosFigures;
  readonly events: string[];
}

/** what runs throughout: CHAOS_FAULTS plus a delay on CreateActivation so kills land inside calls */
const FAULTS: FaultConfig = {
  ...CHAOS_FAULTS,
  'ssm.CreateActivation': { throttle: 0.3, error: 0.1, latencyMs: 200, dropAnswer: 0.15 },
};
/** a harsher phase set at run time (PUT /emulator/faults) for a while */
const STORM: FaultConfig = { ...FAULTS, 'ssm.CreateActivation': { throttle: 0.6, error: 0.2, latencyMs: 400, dropAnswer: 0.25 } };

function withDelay(faults: FaultConfig, delayMs: number): FaultConfig {
  if (delayMs <= 0) return faults;
  return {
    ...faults,
    'ssm.DescribeActivations': { ...faults['ssm.DescribeActivations'], consistencyDelayMs: delayMs },
    'ssm.DescribeInstanceInformation': { ...faults['ssm.DescribeInstanceInformation'], consistencyDelayMs: delayMs },
  };
}

export async function runChaosScenario(s: ChaosScenario): Promise<ChaosOutcome> {
  // a seeded generator: the same seed picks the same victims and moments
  let state = s.seed >>> 0 || 1;
  const random = (): number => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
  const faults = withDelay(FAULTS, s.consistencyDelayMs);
  const storm = withDelay(STORM, s.consistencyDelayMs);
  const sites = Array.from({ length: s.sites }, (_, i) => ({ id: `chaos-plant-${i + 1}`, maxBatchSize: s.maxBatchSize, batchWindowMs: 1_000 }));
  const perSite = Array.from({ length: s.sites }, (_, i) => Math.floor(s.devices / s.sites) + (i < s.devices % s.sites ? 1 : 0));
  const cluster = await FleetCluster.start({
    sites,
    groups: s.groups,
    faults,
    seed: s.seed,
    logLevel: 'info',
    env: {
      ...CHAOS_ORCHESTRATOR_ENV,
      // the orchestrator allows for at least the read-after-write delay the emulator applies
      FLEET_SSM_CONSISTENCY_MS: String(Math.max(200, Math.ceil(s.consistencyDelayMs * 1.5))),
    },
  });
  const kills: Record<string, number> = {};
  let redisRestarts = 0;
  const midRunDumps: string[] = [];
  const events: string[] = [];
  const log = (line: string): void => {
    events.push(`${new Date().toISOString()} ${line}`);
    s.log(line);
  };
  const killCount = (): number => Object.values(kills).reduce((a, b) => a + b, 0);
  try {
    const ids = sites.flatMap((site, i) => Array.from({ length: perSite[i]! }, (_, n) => deviceIdFor(site.id, n)));
    const started = Date.now();
    let accepted = 0;
    const lines = Promise.all(
      sites.map((site, i) =>
        runFactoryLine({ apiUrl: cluster.apiUrl!, siteId: site.id, devices: perSite[i]!, chunk: 250, ratePerSecond: s.rate / s.sites, onAccepted: (n) => (accepted += n) }),
      ),
    );
    let linesDone = false;
    const lineResults = lines.finally(() => (linesDone = true));

    // the chaos: kills at random moments, one Redis restart, a fault storm
    const redisAt = 0.35 + random() * 0.3;
    const stormAt = 0.15 + random() * 0.2;
    let stormUntil = 0;
    let lastChaosAt = Date.now();
    while (killCount() < s.kills || redisRestarts === 0 || !linesDone) {
      await sleep(s.pauseMs[0] + random() * s.pauseMs[1]);
      const progress = linesDone ? 1 : accepted / s.devices;
      if (stormUntil === 0 && progress >= stormAt) {
        await cluster.setFaults(storm);
        stormUntil = Date.now() + 10_000;
        log(`fault storm on (${JSON.stringify(storm['ssm.CreateActivation'])})`);
      } else if (stormUntil > 0 && Date.now() > stormUntil && stormUntil !== Infinity) {
        await cluster.setFaults(faults);
        stormUntil = Infinity;
        log('fault storm off');
      }
      if (redisRestarts === 0 && progress >= redisAt) {
        midRunDumps.push(await cluster.redisDump());
        log(`redis SIGKILLed at ${(progress * 100).toFixed(0)}% posted`);
        await cluster.redisServer.kill();
        await sleep(500 + random() * 2_000);
        await cluster.restartRedis();
        redisRestarts++;
        log('redis restarted from its AOF');
        lastChaosAt = Date.now();
        continue;
      }
      if (killCount() >= s.kills) continue;
      const victim = cluster.processes[Math.floor(random() * cluster.processes.length)]!;
      await victim.kill();
      const role = victim.name.replace(/#\d+$/, '');
      kills[role] = (kills[role] ?? 0) + 1;
      log(`SIGKILL ${victim.name} (kill ${killCount()})`);
      await sleep(random() * 1_500);
      await victim.start();
      lastChaosAt = Date.now();
      if (midRunDumps.length < 2 && progress > 0.7) midRunDumps.push(await cluster.redisDump());
    }
    if (stormUntil !== Infinity) await cluster.setFaults(faults);
    const posted = await lineResults;
    log(`chaos over; ${posted.reduce((n, r) => n + r.accepted, 0)} accepted, ${posted.reduce((n, r) => n + r.duplicates, 0)} duplicates (retried posts)`);

    // drain: every device registered or failed, and the tidying after it
    const settledAt = await cluster.drain(ids, { timeoutMs: s.drainTimeoutMs, pollMs: 500 });

    const report = await checkInvariants(cluster, ids, midRunDumps);
    const emulator = await cluster.emulatorState();
    const figures: ChaosFigures = {
      command: s.command,
      seed: s.seed,
      devices: s.devices,
      sites: s.sites,
      roleProcesses: cluster.processes.length,
      killsSurvived: kills,
      redisRestarts,
      consistencyDelayMs: s.consistencyDelayMs,
      faultsInjected: Object.fromEntries(
        Object.entries(emulator.operations)
          .filter(([, c]) => c.throttled + c.failed + c.dropped > 0)
          .map(([op, c]) => [op, { calls: c.calls, throttled: c.throttled, errors: c.failed, droppedAnswers: c.dropped }]),
      ),
      activationsCreated: emulator.activations.created,
      minimumActivations: perSite.reduce((n, d) => n + Math.ceil(d / s.maxBatchSize), 0),
      report,
      durationMs: (settledAt || Date.now()) - started,
      drainAfterLastFaultMs: settledAt ? settledAt - lastChaosAt : null,
      simulator: cluster.simulatorCounters ?? null,
    };
    return { figures, events };
  } finally {
    await cluster.stop(s.keepFiles);
  }
}

/** The invariants a chaos run must keep, as assertions. */
export function expectInvariantsKept(f: ChaosFigures, minKills: number): void {
  const r = f.report;
  expect(Object.values(f.killsSurvived).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(minKills);
  expect(f.redisRestarts).toBeGreaterThanOrEqual(1);
  expect(r.lost).toEqual([]);
  expect(r.stuck).toEqual([]);
  // the only acceptable failure is an activation that failed for good after every attempt, with that reason
  for (const reason of Object.keys(r.failedReasons)) expect(reason).toMatch(/gave up after \d+ attempts/);
  expect(r.twoLive).toEqual([]);
  expect(r.liveActivationsLeft).toBe(0);
  expect(r.retainedLeftEmulator).toBe(0);
  expect(r.retainedLeftBroker).toBe(0);
  // every code the emulator issued was searched (at least one per batch), in an AOF that kept every write
  expect(r.codesIssued).toBeGreaterThanOrEqual(f.minimumActivations);
  expect(r.codesIssued).toBe(f.activationsCreated);
  expect(r.aofRewrites).toBe(0);
  expect(r.codeLeaks).toEqual([]);
}
