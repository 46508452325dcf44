/**
 * End to end against the emulator (scenarios e2e, e2e-random, latency, budget, stages, and fleet-enroll's
 * side of the naive baseline): runEnrollment with the emulator, the simulated devices and every orchestrator
 * role in child processes (by default two orchestrator processes: api + intake + activation + delivery, and
 * ack + reconcile + tag), so that this process is the bench alone — the factory lines, the progress polls,
 * the sampling — and the orchestrator's RSS and CPU are its own processes'.
 */
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { runEnrollment, type EnrollmentRunOptions, type RunPids, type RunSummary } from '../../src/cli/demo/enrollment-run.js';
import type { RandomRequestOptions } from '../../src/cli/demo/request-plan.js';
import type { Role } from '../../src/app.js';
import type { FaultConfig } from '../../src/emulator/index.js';
import { Keys } from '../../src/redis/keys.js';
import { MosquittoSysReader } from '../mosquitto-sys-reader.js';
import { sysDifference, type SysCounters } from '../mosquitto-sys.js';
import { commandOf, ProcessCpuWatch, type ProcessCpuRow, type WatchedProcess } from '../process-cpu.js';
import { atPeakMemory, RedisMemorySampler, worstPerRecord, type PerRecord } from '../redis-memory.js';

export interface EnrollmentBenchOptions {
  readonly devices: number;
  readonly sites: number;
  readonly redisUrl: string;
  readonly logFile: string;
  readonly ratePerSecond?: number;
  /** with a rate: requests a line may have unanswered while it keeps to its schedule */
  readonly lineMaxInFlight?: number;
  readonly chunk?: number;
  /** requests of random sizes, all sites' interleaved, instead of `chunk`-sized ones per site in order */
  readonly randomRequests?: RandomRequestOptions;
  readonly batchWindowMs?: number;
  /** emulator TPS cap on CreateActivation, and fleet-enroll's own limiter set to the same */
  readonly createActivationTps?: number;
  /** the orchestrator at its default AWS budgets, and these emulator faults (TPS caps) */
  readonly defaultBudgets?: { readonly faults: FaultConfig };
  readonly label: string;
  /** ack + reconcile + tag in an orchestrator process of their own (default true), the other roles with the API in another */
  readonly splitRoles?: boolean;
  /** worker roles in child processes, one per group (overrides splitRoles) */
  readonly roleGroups?: readonly (readonly Role[])[];
  /** profile the roles child with --cpu-prof into this directory */
  readonly cpuProfileDir?: string;
  /** a private Mosquitto as the MQTT broker instead of the emulator's embedded one; its $SYS counters are read before and after the run */
  readonly mosquitto?: PrivateBroker;
}

/** a broker process of the bench's own (its pid: for the CPU table) */
export interface PrivateBroker {
  readonly url: string;
  readonly pid: number | undefined;
}

/** the run's MQTT broker and, for Mosquitto, what its $SYS counters moved by over the run */
export type BrokerFigures =
  | { readonly kind: 'embedded' }
  | {
      readonly kind: 'mosquitto';
      readonly version: string | undefined;
      /** end − start of $SYS/broker/publish/messages/{dropped,received,sent} */
      readonly sys: SysCounters;
      /** $SYS messages to the bench's own reader in between: in `sys.sent` too */
      readonly sysReaderMessages: number;
    };

export interface EnrollmentBench {
  readonly summary: RunSummary;
  /** AWS calls the orchestrator made (the devices' own registrations excluded), per device */
  readonly awsCallsPerDevice: number;
  readonly orchestratorCalls: Record<string, number>;
  readonly redis: {
    readonly baselineBytes: number;
    readonly peakUsedBytes: number;
    /** (used_memory − baseline) ÷ device records in Redis, at the sample with the highest used_memory */
    readonly atPeakMemory: PerRecord | undefined;
    /** the same, at the worst sample holding at least a tenth of the run's devices */
    readonly worstPerRecord: PerRecord | undefined;
    readonly samples: number;
  };
  /** CPU seconds of each process from the first request until every device was registered or failed (/proc/<pid>/stat) */
  readonly cpuByProcess: readonly ProcessCpuRow[];
  /** CPU seconds of the orchestrator's processes from the first request until every device was done (/proc), and the cores that makes on average */
  readonly orchestratorCpuSeconds: number;
  readonly orchestratorCores: number;
  readonly broker: BrokerFigures;
}

/** the device's own call (standing in for `amazon-ssm-agent -register`) is not the orchestrator's */
const DEVICE_OPERATIONS = new Set(['ssm.RegisterManagedInstance']);

export async function runEnrollmentBench(options: EnrollmentBenchOptions): Promise<EnrollmentBench> {
  // read before the clocks start: a reading waits for the broker's next $SYS ticks (up to ~4 s)
  const sys = options.mosquitto ? await MosquittoSysReader.connect(options.mosquitto.url) : undefined;
  try {
    const before = await sys?.read();
    const bench = await measuredRun(options);
    if (!sys || !before) return { ...bench, broker: { kind: 'embedded' } };
    const after = await sys.read();
    return {
      ...bench,
      broker: { kind: 'mosquitto', version: sys.version, sys: sysDifference(before.counters, after.counters), sysReaderMessages: after.readerMessages - before.readerMessages },
    };
  } finally {
    await sys?.close();
  }
}

async function measuredRun(options: EnrollmentBenchOptions): Promise<Omit<EnrollmentBench, 'broker'>> {
  const redis = new Redis(options.redisUrl);
  const sampler = await RedisMemorySampler.start(redis);
  const log = pino.destination({ dest: options.logFile, sync: false, mkdir: true });
  const started = Date.now();
  // the CPU window: from the pipeline running (the first request) until every device is done
  let runningAt = 0;
  let drainedAt = 0;
  const cpu = new ProcessCpuWatch();
  const redisPid = Number(/^process_id:(\d+)/m.exec(await redis.info('server'))?.[1]);
  let lastPrint = 0;
  const run: EnrollmentRunOptions = {
    devices: options.devices,
    sites: options.sites,
    redisUrl: options.redisUrl,
    logDestination: log,
    logLevel: 'warn',
    emulatorProcess: true,
    simulatorProcess: true,
    simulatorConcurrency: 128,
    splitRoles: options.splitRoles ?? true,
    orchestratorInChildren: true,
    ...(options.roleGroups ? { roleGroups: options.roleGroups } : {}),
    // the simulator registers 128 devices at a time, real devices each their own: its backlog is not lost acks
    redeliverAfterMs: 60_000,
    ...(options.ratePerSecond ? {} : { lineConcurrency: 32 }),
    rolesLogFile: options.logFile,
    ...(options.cpuProfileDir ? { rolesCpuProfileDir: options.cpuProfileDir } : {}),
    ...(options.ratePerSecond ? { ratePerSecond: options.ratePerSecond } : {}),
    ...(options.lineMaxInFlight ? { lineMaxInFlight: options.lineMaxInFlight } : {}),
    ...(options.chunk ? { chunk: options.chunk } : {}),
    ...(options.randomRequests ? { randomRequests: options.randomRequests } : {}),
    ...(options.batchWindowMs ? { batchWindowMs: options.batchWindowMs } : {}),
    ...(options.createActivationTps
      ? { createActivationPerSecond: options.createActivationTps, faults: { 'ssm.CreateActivation': { tps: options.createActivationTps } } }
      : {}),
    ...(options.defaultBudgets ? { defaultBudgets: true, faults: options.defaultBudgets.faults } : {}),
    ...(options.mosquitto ? { mqttUrl: options.mosquitto.url } : {}),
    timeoutMs: Math.max(600_000, options.devices * 5),
    onRunning: ({ config, pids }) => {
      sampler.track(new Keys(config.keyPrefix), [...config.sites.sites.keys()]);
      cpu.start(watched(pids, redisPid, options.mosquitto?.pid));
      runningAt = Date.now();
    },
    onDrained: () => {
      cpu.stop();
      drainedAt = Date.now();
    },
    onProgress: (p) => {
      sampler.sample(p.accepted, p.accepted - p.registered - p.failed);
      if (Date.now() - lastPrint >= 10_000) {
        lastPrint = Date.now();
        const s = Math.round((Date.now() - started) / 1000);
        process.stderr.write(`  [${options.label} ${s}s] accepted ${p.accepted} activated ${p.activated} delivered ${p.delivered} registered ${p.registered} failed ${p.failed}\n`);
      }
    },
  };
  try {
    const summary = await runEnrollment(run);
    const cpuSeconds = cpu.rows.filter((r) => r.name.startsWith(ORCHESTRATOR)).reduce((n, r) => n + r.cpuSeconds, 0);
    const windowSeconds = Math.max(1, ((drainedAt || Date.now()) - (runningAt || started)) / 1000);
    const orchestratorCalls = Object.fromEntries(Object.entries(summary.details.awsCalls).filter(([op]) => !DEVICE_OPERATIONS.has(op)));
    const calls = Object.values(orchestratorCalls).reduce((a, b) => a + b, 0);
    return {
      summary,
      awsCallsPerDevice: Math.round((calls / summary.devices) * 100) / 100,
      orchestratorCalls,
      redis: {
        baselineBytes: sampler.baselineBytes,
        peakUsedBytes: sampler.peakUsedBytes,
        atPeakMemory: atPeakMemory(sampler.samples, sampler.baselineBytes),
        worstPerRecord: worstPerRecord(sampler.samples, sampler.baselineBytes, Math.floor(summary.devices / 10)),
        samples: sampler.samples.length,
      },
      cpuByProcess: cpu.rows,
      orchestratorCpuSeconds: Math.round(cpuSeconds * 10) / 10,
      orchestratorCores: Math.round((cpuSeconds / windowSeconds) * 100) / 100,
    };
  } finally {
    log.flushSync();
    redis.disconnect();
  }
}

/** the CPU table's orchestrator rows start so */
const ORCHESTRATOR = 'orchestrator';

function watched(pids: RunPids, redisPid: number, mosquittoPid: number | undefined): WatchedProcess[] {
  const here = pids.rolesHere;
  return [
    here.length > 0
      ? { name: `${ORCHESTRATOR} (main)`, runs: `${here.join(', ')}; the factory lines; the bench (sampling)`, pid: pids.orchestrator }
      : { name: 'bench', runs: 'the factory lines (HTTP clients), progress polls, sampling: no orchestrator role', pid: pids.orchestrator },
    ...pids.rolesProcesses.map((c) => ({ name: `${ORCHESTRATOR} (${c.roles.join(' + ')})`, runs: c.roles.join(', '), pid: c.pid })),
    { name: 'emulator', runs: `SSM, IoT, IoT data plane over HTTP${mosquittoPid ? '' : '; the MQTT broker'}`, pid: pids.emulator },
    ...(mosquittoPid ? [{ name: 'Mosquitto', runs: 'the MQTT broker', pid: mosquittoPid }] : []),
    ...(pids.simulator ? [{ name: 'device simulator', runs: 'the devices: MQTT, RegisterManagedInstance, acks', pid: pids.simulator }] : []),
    // INFO's process_id is this machine's process only if Redis runs here (not remote, not in a container)
    ...(Number.isInteger(redisPid) && redisPid > 0 && /^redis/.test(commandOf(redisPid) ?? '') ? [{ name: 'Redis', runs: 'redis-server (all its clients)', pid: redisPid }] : []),
  ];
}
