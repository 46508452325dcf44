/**
 * One whole enrollment on embedded defaults: the emulator (with its embedded MQTT broker), the orchestrator
 * (API in one app, the worker roles in another, so chaos can restart the workers), simulated devices and
 * factory lines. Used by `fleet-enroll demo` and by the benchmarks.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { createApp, type App, type Role } from '../../app.js';
import { createLogger } from '../../adapters/logger.js';
import { Metrics } from '../../adapters/metrics.js';
import type { Config } from '../../config.js';
import { batchesByCutRule, minimumActivations } from '../../domain/batching.js';
import { DeviceSimulator, DeviceSimulatorProcess, type SimulatorCounters } from '../../device/simulator/index.js';
import type { FaultConfig } from '../../emulator/index.js';
import { deleteMatching } from '../../devtools/delete-keys.js';
import { Keys } from '../../redis/keys.js';
import { DEVICE_FIELDS, STATE_TIME_FIELDS } from '../../redis/records.js';
import { provideDemoRedis, type DemoRedis } from './demo-redis.js';
import { startEmulatorLink, type EmulatorLink } from './emulator-link.js';
import { demoConfig, type DemoConfigInput } from './demo-config.js';
import type { DemoSite } from './demo-sites.js';
import { deviceIdFor, postDevices, runFactoryLine, type AcceptedRequest } from './factory-line.js';
import { addAckCounts, mqttAcksReceived, type AcksByResult } from './mqtt-acks-received.js';
import { latencySlices, percentiles, percentilesAfter, type LatencySlice, type Percentiles } from './percentiles.js';
import { randomRequestPlan, type RandomRequestOptions } from './request-plan.js';
import { RolesProcess } from './roles-process.js';

export const WORKER_ROLES: readonly Role[] = ['intake', 'activation', 'delivery', 'ack', 'reconcile', 'tag'];
const STAGE_NAMES = ['batched', 'activated', 'delivered', 'acked', 'registered'] as const;
/** device hash time fields in state order, for the per-stage latencies */
const STAGE_FIELDS = STAGE_NAMES.map((s) => STATE_TIME_FIELDS[s]);
/** the width of the 202 → credentials slices (details.credentialsLatencyBySlice) */
const LATENCY_SLICE_MS = 5_000;
/** with `splitRoles`: these run in a child process, the rest of WORKER_ROLES here */
const CHILD_ROLES: readonly Role[] = ['ack', 'reconcile', 'tag'];

/** what `--chaos` turns on in the emulator: throttling, errors, latency and lost answers */
export const CHAOS_FAULTS: FaultConfig = {
  'ssm.CreateActivation': { throttle: 0.3, error: 0.1, latencyMs: 50, dropAnswer: 0.1 },
  'ssm.DescribeActivations': { throttle: 0.1, error: 0.05 },
  'ssm.DescribeInstanceInformation': { throttle: 0.1, error: 0.05, latencyMs: 20 },
  'ssm.AddTagsToResource': { throttle: 0.05, error: 0.02 },
  'ssm.DeleteActivation': { throttle: 0.1, error: 0.05 },
  'iotdata.Publish': { error: 0.01, latencyMs: 2 },
};

export interface EnrollmentRunOptions {
  readonly devices: number;
  readonly sites: number;
  readonly chaos?: boolean;
  /** REDIS_URL as configured; the demo falls back to a private redis-server */
  readonly redisUrl: string;
  readonly maxBatchSize?: number;
  readonly batchWindowMs?: number;
  /** total devices/s over all lines; absent = as fast as the API takes them */
  readonly ratePerSecond?: number;
  /** with a rate: requests each line may have unanswered while it keeps posting on schedule (default 1) */
  readonly lineMaxInFlight?: number;
  /** events per enrollment request */
  readonly chunk?: number;
  /** instead of each site's line posting `chunk`-sized requests in order: requests of random sizes, all sites' interleaved */
  readonly randomRequests?: RandomRequestOptions;
  /** emulator faults (replaces the chaos set) and TPS caps */
  readonly faults?: FaultConfig;
  readonly createActivationPerSecond?: number;
  /** the orchestrator at its default AWS budgets (FLEET_SSM_RPS …) instead of the demo's generous ones */
  readonly defaultBudgets?: boolean;
  /** an external MQTT broker (e.g. a private Mosquitto) for the emulator, the devices and the ack role, instead of the emulator's embedded one */
  readonly mqttUrl?: string;
  /** run the emulator / the simulated devices in child processes of their own (the orchestrator's process then holds only it and the lines) */
  readonly emulatorProcess?: boolean;
  readonly simulatorProcess?: boolean;
  /** ack and reconcile in a child process of their own, the other roles here: the orchestrator on two cores */
  readonly splitRoles?: boolean;
  /** worker roles in child processes, one per group, the rest here (overrides splitRoles; e.g. one role each, to read each stage's CPU) */
  readonly roleGroups?: readonly (readonly Role[])[];
  /**
   * the API and the worker roles not in a group in one more child process: this one only posts, polls and
   * samples, so that the orchestrator's CPU and memory are its processes' alone (benchmarks; not with chaos)
   */
  readonly orchestratorInChildren?: boolean;
  /** with child processes: their log file, and a directory for their `--cpu-prof` profiles */
  readonly rolesLogFile?: string;
  readonly rolesCpuProfileDir?: string;
  /** factory lines posting at once (default: every site's line); with a rate, keep it at the default */
  readonly lineConcurrency?: number;
  /** credentials again to devices delivered this long without an ack (default: the orchestrator's, 20 reconcile intervals) */
  readonly redeliverAfterMs?: number;
  /** registrations in flight at once in the simulator (default 64) */
  readonly simulatorConcurrency?: number;
  readonly logDestination: pino.DestinationStream;
  readonly logLevel?: string;
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: RunProgress) => void;
  /** called once the pipeline runs, e.g. to sample memory */
  readonly onRunning?: (run: { readonly config: Config; readonly redisUrl: string; readonly emulatorPid: number; readonly pids: RunPids }) => void;
  /** called once every device is registered or failed (or the run timed out), before the tidy-up */
  readonly onDrained?: () => void;
}

/** the processes of a run, for reading their CPU time (absent: not a process of its own) */
export interface RunPids {
  /** this process: the factory lines, and the API and the worker roles not split off unless every role runs in a child */
  readonly orchestrator: number;
  /** the orchestrator roles this process runs (none with orchestratorInChildren) */
  readonly rolesHere: readonly Role[];
  /** the child processes running worker roles */
  readonly rolesProcesses: readonly { readonly roles: readonly Role[]; readonly pid: number }[];
  readonly emulator: number;
  readonly simulator?: number;
}

export interface RunProgress {
  readonly total: number;
  readonly accepted: number;
  readonly activated: number;
  readonly delivered: number;
  readonly registered: number;
  readonly failed: number;
}

export interface RunSummary {
  devices: number;
  sites: number;
  registered: number;
  failed: number;
  activations: number;
  minimumActivations: number;
  createActivationCalls: number;
  retries: number;
  throttles: number;
  durationMs: number;
  devicesPerSecond: number;
  latencyMs: { credentials: Percentiles; registered: Percentiles };
  /** beyond the contract's summary: what a reader of the report wants next */
  details: {
    redis: 'configured' | 'private';
    workerRestarts: number;
    faultsInjected: { throttled: number; errors: number; droppedAnswers: number };
    liveActivationsLeft: number;
    retainedMessagesLeft: number;
    awsCalls: Record<string, number>;
    timedOut: boolean;
    /** peak resident memory of this process (the lines, and the orchestrator roles not in a child), sampled with progress */
    peakRssBytes: number;
    /** the orchestrator roles this process ran (none with orchestratorInChildren) */
    rolesHere: readonly Role[];
    /** each stage's time from the one before (accepted → batched → … → registered), for finding where latency goes */
    stageLatencyMs: Record<string, Percentiles>;
    /** 202 → credentials by when the 202 came (slices of LATENCY_SLICE_MS from the first): whether the tail is a start-up transient or steady */
    credentialsLatencyBySlice: LatencySlice[];
    /** 202 → credentials of the devices whose 202 came after the first LATENCY_SLICE_MS: the steady state without the start-up (cold processes, the first connections) */
    credentialsLatencySteady: Percentiles & { readonly samples: number; readonly afterMs: number };
    /** the child processes' highest peak RSS and their CPU seconds together */
    rolesProcess?: { peakRssBytes: number; cpuSeconds: number };
    /** each child process's roles, peak RSS and CPU seconds */
    rolesProcesses?: { roles: readonly Role[]; peakRssBytes: number; atPeak: NodeJS.MemoryUsage; cpuSeconds: number }[];
    /** requests posted, and the batches the cut rule makes of the devices' buffer times (each site's `tBuf`) if cut on time */
    requests: number;
    /** from the first 202 to the last: the posting phase (devices ÷ it = the rate the lines kept) */
    postingMs: number;
    batchesByCutRule: number;
    /** sites whose devices entered the buffer over more than one batch window (the minimum needs them within one) */
    sitesOverOneWindow: number;
    /** acks over MQTT: what the devices published (PUBACK received; first acks, and again answering a redelivery) and what the orchestrator's ack role took, by verdict */
    acks: { published: { first: number; repeats: number }; received: AcksByResult };
  };
}

export async function runEnrollment(options: EnrollmentRunOptions): Promise<RunSummary> {
  const redis = await provideDemoRedis(options.redisUrl);
  const cleanups: (() => Promise<unknown>)[] = [() => redis.close()];
  try {
    const faults = options.faults ?? (options.chaos ? CHAOS_FAULTS : {});
    const emulator = await startEmulatorLink({ faults, child: options.emulatorProcess ?? false, ...(options.mqttUrl ? { mqttUrl: options.mqttUrl } : {}) });
    cleanups.unshift(() => emulator.close());
    // the orchestrator finds its AWS endpoints and credentials where the SDK looks: the environment
    Object.assign(process.env, emulator.env);
    const configInput: DemoConfigInput = {
      redisUrl: redis.url,
      keyPrefix: `demo-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
      region: emulator.env.AWS_REGION ?? 'us-east-1',
      devices: options.devices,
      sites: options.sites,
      ...(options.maxBatchSize ? { maxBatchSize: options.maxBatchSize } : {}),
      ...(options.batchWindowMs ? { batchWindowMs: options.batchWindowMs } : {}),
      ackMqttUrl: emulator.mqttUrl,
      logLevel: options.logLevel ?? 'info',
      createActivationPerSecond: options.createActivationPerSecond ?? 50,
      secretKeyHex: randomBytes(32).toString('hex'),
      ...(options.redeliverAfterMs ? { redeliverAfterMs: options.redeliverAfterMs } : {}),
      ...(options.defaultBudgets ? { defaultBudgets: true } : {}),
    };
    const { config, sites } = demoConfig(configInput);
    // the run's keys go with it: the demo leaves a shared Redis as it found it
    cleanups.unshift(() => deleteMatching(config.redisUrl, new Keys(config.keyPrefix).everything));
    return await new EnrollmentRun(options, config, configInput, emulator, redis, sites, cleanups).run();
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

class EnrollmentRun {
  private readonly logger;
  private readonly metrics = new Metrics();
  private workers: App | undefined;
  private workerRestarts = 0;
  private peakRss = 0;
  private readonly rolesProcesses: { roles: readonly Role[]; process: RolesProcess }[] = [];
  /** every request answered 202: which devices, and when the client had the answer */
  private readonly acceptedRequests: { site: number; from: number; count: number; at: number }[] = [];

  constructor(
    private readonly options: EnrollmentRunOptions,
    private readonly config: Config,
    private readonly configInput: DemoConfigInput,
    private readonly emulator: EmulatorLink,
    private readonly redis: DemoRedis,
    private readonly sites: readonly DemoSite[],
    private readonly cleanups: (() => Promise<unknown>)[],
  ) {
    this.logger = createLogger(config.logLevel, options.logDestination);
  }

  async run(): Promise<RunSummary> {
    const { config, emulator, sites } = this;
    const simulatorOptions = {
      mqttUrl: emulator.mqttUrl,
      emulatorUrl: emulator.url,
      sites: sites.map((s) => s.site.id),
      topics: config.topics,
      ...(this.options.simulatorConcurrency ? { concurrency: this.options.simulatorConcurrency } : {}),
    };
    const simulator = this.options.simulatorProcess ? new DeviceSimulatorProcess(simulatorOptions) : new DeviceSimulator(simulatorOptions);
    await simulator.start();
    this.cleanups.unshift(() => simulator.stop());
    let apiUrl: string | undefined;
    this.cleanups.unshift(() => this.workers?.stop() ?? Promise.resolve());
    if (this.options.orchestratorInChildren) {
      if (this.options.chaos) throw new Error('chaos restarts the worker roles of this process: not with orchestratorInChildren');
      // no roles here: the app only reads the site views for progress
      this.workers = await createApp(config, { roles: [], logger: this.logger, metrics: this.metrics });
    } else {
      const api = await createApp(config, { roles: ['api'], logger: this.logger, metrics: this.metrics, listen: { host: '127.0.0.1', port: 0 } });
      // stopped (and so no longer writing to Redis) before the run's keys are deleted, also when start fails
      this.cleanups.unshift(() => api.stop());
      await api.start();
      apiUrl = api.url;
      await this.startWorkers();
    }
    for (const group of this.childGroups()) {
      const child = await RolesProcess.start(
        {
          input: this.configInput,
          roles: group,
          env: emulator.env,
          ...(this.options.rolesLogFile ? { logFile: this.options.rolesLogFile } : {}),
        },
        this.options.rolesCpuProfileDir,
      );
      this.rolesProcesses.push({ roles: group, process: child });
      this.cleanups.unshift(() => child.stop());
      apiUrl ??= child.url;
    }
    if (!apiUrl) throw new Error('no process runs the api role');
    const simulatorPid = simulator instanceof DeviceSimulatorProcess ? simulator.pid : undefined;
    const pids: RunPids = {
      orchestrator: process.pid,
      rolesHere: this.rolesInThisProcess(),
      emulator: emulator.pid,
      rolesProcesses: this.rolesProcesses.flatMap((c) => (c.process.pid ? [{ roles: c.roles, pid: c.process.pid }] : [])),
      ...(simulatorPid ? { simulator: simulatorPid } : {}),
    };
    this.options.onRunning?.({ config, redisUrl: this.redis.url, emulatorPid: emulator.pid, pids });

    const started = Date.now();
    const stopLines = new AbortController();
    let accepted = 0;
    // each line's share of the rate is its share of the devices: sites differ in size, and the lines then finish
    // together, so the total stays at the rate asked for until the end instead of thinning as small sites finish
    const totalDevices = sites.reduce((n, s) => n + s.devices, 0);
    const lineRate = (devices: number): number | undefined => (this.options.ratePerSecond ? (this.options.ratePerSecond * devices) / Math.max(1, totalDevices) : undefined);
    const siteIndex = new Map(sites.map((s, i) => [s.site.id, i]));
    const onRequestAccepted = (r: AcceptedRequest): void => {
      accepted += r.answer.accepted;
      this.acceptedRequests.push({ site: siteIndex.get(r.siteId)!, from: r.from, count: r.count, at: r.at });
    };
    // at most `lineConcurrency` lines post at once (a pool): a thousand sites need not be a thousand requests in flight
    let nextSite = 0;
    const pool = Math.min(sites.length, this.options.lineConcurrency ?? sites.length);
    const runLines = async (): Promise<void> => {
      while (nextSite < sites.length && !stopLines.signal.aborted) {
        const s = sites[nextSite++]!;
        await runFactoryLine({
          apiUrl: apiUrl!,
          siteId: s.site.id,
          devices: s.devices,
          chunk: this.options.chunk ?? 1000,
          signal: stopLines.signal,
          onRequestAccepted,
          ...(lineRate(s.devices) ? { ratePerSecond: lineRate(s.devices)! } : {}),
          ...(this.options.lineMaxInFlight ? { maxInFlight: this.options.lineMaxInFlight } : {}),
        });
      }
    };
    // random requests: the same pool of posters, each taking the plan's next request whatever its site
    const plan = this.options.randomRequests ? randomRequestPlan(sites.map((s) => s.devices), this.options.randomRequests) : undefined;
    let nextRequest = 0;
    const postPlan = async (): Promise<void> => {
      while (plan && nextRequest < plan.length && !stopLines.signal.aborted) {
        const r = plan[nextRequest++]!;
        onRequestAccepted(await postDevices(apiUrl!, sites[r.site]!.site.id, r.from, r.count, stopLines.signal));
      }
    };
    const lines = Promise.all(Array.from({ length: pool }, plan ? postPlan : runLines));
    lines.catch(() => stopLines.abort());

    const total = this.options.devices;
    const deadline = started + (this.options.timeoutMs ?? Math.max(300_000, total * 10));
    let progress: RunProgress;
    let timedOut = false;
    for (;;) {
      progress = await this.progress(accepted);
      this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
      this.options.onProgress?.(progress);
      // mid-run: once activations exist for 30 % of the devices and not every device is done. (Waiting for
      // 30 % registered could see the whole run finish between two polls on a fast machine.)
      const done = progress.registered + progress.failed >= total;
      if (this.options.chaos && this.workerRestarts === 0 && !done && progress.activated >= total * 0.3) await this.restartWorkers();
      if (done) break;
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
      await new Promise((r) => setTimeout(r, total > 200_000 ? 1000 : 200));
    }
    const durationMs = Date.now() - started;
    this.options.onDrained?.();
    stopLines.abort();
    await lines.catch(() => undefined);
    // the last reconcile passes delete spent activations and clear retained messages
    const tidyUntil = Date.now() + 15_000;
    for (;;) {
      const state = await emulator.state();
      if ((state.activations.live === 0 && state.retainedMessages === 0) || Date.now() >= tidyUntil || timedOut) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // the devices' final counters: a simulator child reports its last ones as it stops (its repeat acks raise no event)
    await simulator.stop();
    return this.summary(progress, durationMs, timedOut, simulator.counters);
  }

  /** the roles that run in child processes, a process per group (with orchestratorInChildren the API and the rest last) */
  private childGroups(): readonly (readonly Role[])[] {
    const groups = this.options.roleGroups ?? (this.options.splitRoles ? [CHILD_ROLES] : []);
    return this.options.orchestratorInChildren ? [...groups, ['api', ...this.rolesHere(groups)]] : groups;
  }

  /** the worker roles not in one of these child groups */
  private rolesHere(groups: readonly (readonly Role[])[]): Role[] {
    const elsewhere = groups.flat();
    return WORKER_ROLES.filter((r) => !elsewhere.includes(r));
  }

  /** the API (unless it runs in a child) and the worker roles in no child group */
  private rolesInThisProcess(): Role[] {
    return this.options.orchestratorInChildren ? [] : ['api', ...this.rolesHere(this.childGroups())];
  }

  private async startWorkers(): Promise<void> {
    const roles = this.rolesHere(this.childGroups());
    this.workers = await createApp(this.config, { roles, logger: this.logger, metrics: this.metrics });
    await this.workers.start();
  }

  /** `--chaos`: the worker roles go down mid-run and come back, as after a deploy or a crash */
  private async restartWorkers(): Promise<void> {
    this.logger.warn('chaos: restarting the worker roles');
    await this.workers?.stop();
    this.workerRestarts++;
    await this.startWorkers();
  }

  private async progress(accepted: number): Promise<RunProgress> {
    let activated = 0;
    let delivered = 0;
    let registered = 0;
    let failed = 0;
    // every site at once: a thousand sequential round trips take minutes while the process is busy
    const views = await Promise.all(this.sites.map((s) => this.workers!.services.site(s.site.id)));
    for (const view of views) {
      if (!view) continue;
      const c = view.counts;
      registered += c.registered;
      failed += c.failed;
      delivered += c.delivered + c.acked + c.registered;
      activated += c.activated + c.delivered + c.acked + c.registered;
    }
    return { total: this.options.devices, accepted, activated, delivered, registered, failed };
  }

  private async summary(progress: RunProgress, durationMs: number, timedOut: boolean, devices: Readonly<SimulatorCounters>): Promise<RunSummary> {
    const state = await this.emulator.state();
    const ops = state.operations;
    const sum = (pick: (c: { throttled: number; failed: number; dropped: number }) => number): number =>
      Object.values(ops).reduce((n, c) => n + pick(c), 0);
    const retries = await this.activationRetries();
    const { stages, bySlice, steady, cutRule, ...latency } = await this.latencies();
    const children = await Promise.all(this.rolesProcesses.map(async (c) => ({ roles: c.roles, ...(await c.process.usage()) })));
    const perChild = children.map((c) => ({ roles: c.roles, peakRssBytes: c.peakRssBytes, atPeak: c.atPeak, cpuSeconds: Math.round(c.cpuSeconds * 10) / 10 }));
    return {
      devices: this.options.devices,
      sites: this.sites.length,
      registered: progress.registered,
      failed: progress.failed,
      activations: state.activations.created,
      minimumActivations: this.sites.reduce((n, s) => n + minimumActivations(s.devices, s.site.maxBatchSize), 0),
      createActivationCalls: ops['ssm.CreateActivation']?.calls ?? 0,
      retries,
      throttles: sum((c) => c.throttled),
      durationMs,
      devicesPerSecond: Math.round((progress.registered / durationMs) * 1000),
      latencyMs: latency,
      details: {
        redis: this.redis.origin,
        workerRestarts: this.workerRestarts,
        faultsInjected: { throttled: sum((c) => c.throttled), errors: sum((c) => c.failed), droppedAnswers: sum((c) => c.dropped) },
        liveActivationsLeft: state.activations.live,
        retainedMessagesLeft: state.retainedMessages,
        awsCalls: Object.fromEntries(Object.entries(ops).map(([op, c]) => [op, c.calls])),
        timedOut,
        peakRssBytes: this.peakRss,
        rolesHere: this.rolesInThisProcess(),
        stageLatencyMs: stages,
        credentialsLatencyBySlice: bySlice,
        credentialsLatencySteady: steady,
        ...(children.length > 0
          ? {
              rolesProcess: {
                peakRssBytes: Math.max(...children.map((c) => c.peakRssBytes)),
                cpuSeconds: Math.round(children.reduce((n, c) => n + c.cpuSeconds, 0) * 10) / 10,
              },
              rolesProcesses: perChild,
            }
          : {}),
        requests: this.acceptedRequests.length,
        postingMs: postingSpan(this.acceptedRequests),
        batchesByCutRule: cutRule.batches,
        sitesOverOneWindow: cutRule.sitesOverOneWindow,
        acks: {
          published: { first: devices.ackedRegistered + devices.ackedFailed, repeats: devices.ackRepeats },
          // the ack role runs here or in a child: each process counts its own
          received: addAckCounts(await mqttAcksReceived(this.metrics), ...children.map((c) => c.mqttAcks)),
        },
      },
    };
  }

  /** CreateActivation retries: the activation role's counter, read from /metrics when it runs in the API's child process */
  private async activationRetries(): Promise<number> {
    const served = this.rolesProcesses.find((c) => c.roles.includes('api') && c.roles.includes('activation'))?.process.url;
    if (!served) return (await this.metrics.activationRetries.get()).values[0]?.value ?? 0;
    const text = await (await fetch(`${served}/metrics`)).text();
    return Number(/^fleet_activation_retries_total (\d+)/m.exec(text)?.[1] ?? 0);
  }

  /** when the client had the 202 for each device of each site (NaN: never accepted) */
  private acceptedAt(): Float64Array[] {
    const at = this.sites.map((s) => new Float64Array(s.devices).fill(NaN));
    for (const r of this.acceptedRequests) at[r.site]!.fill(r.at, r.from, r.from + r.count);
    return at;
  }

  /**
   * 202 received → credentials published, 202 → registered, from the client's 202 time for the request that
   * carried the device and the device's own timestamps; each stage's time from the one before (the first,
   * 202 → intake ran, is negative when the intake job ran before the client read the answer); and the batches
   * the cut rule makes of each site's buffer times.
   */
  private async latencies(): Promise<
    RunSummary['latencyMs'] & {
      stages: RunSummary['details']['stageLatencyMs'];
      bySlice: LatencySlice[];
      steady: RunSummary['details']['credentialsLatencySteady'];
      cutRule: { batches: number; sitesOverOneWindow: number };
    }
  > {
    const keys = new Keys(this.config.keyPrefix);
    const redis = new Redis(this.redis.url);
    const acceptedAt = this.acceptedAt();
    const credentials: number[] = [];
    /** 202 time and 202 → credentials, for the slices */
    const credentialsAt: [number, number][] = [];
    const registered: number[] = [];
    const intake: number[] = [];
    const stageSamples: number[][] = STAGE_FIELDS.map(() => []);
    const cutRule = { batches: 0, sitesOverOneWindow: 0 };
    try {
      for (const [i, s] of this.sites.entries()) {
        const buffered: number[] = [];
        for (let from = 0; from < s.devices; from += 5000) {
          const pipeline = redis.pipeline();
          for (let n = from; n < Math.min(s.devices, from + 5000); n++) pipeline.hmget(keys.device(deviceIdFor(s.site.id, n)), STATE_TIME_FIELDS.accepted, DEVICE_FIELDS.buffered, ...STAGE_FIELDS);
          for (const [k, [, fields]] of ((await pipeline.exec()) ?? []).entries()) {
            const t202 = acceptedAt[i]![from + k]!;
            const [acc, buf, ...times] = (fields as (string | null)[]).map((v) => (v === null ? NaN : Number(v)));
            times.forEach((t, j) => {
              const before = j === 0 ? acc! : times[j - 1]!;
              if (t >= before) stageSamples[j]!.push(t - before);
            });
            if (buf! >= 0) buffered.push(buf!);
            if (acc! >= 0 && t202 >= 0) intake.push(acc! - t202);
            const [dlv, reg] = [times[STAGE_FIELDS.indexOf(STATE_TIME_FIELDS.delivered)]!, times[STAGE_FIELDS.indexOf(STATE_TIME_FIELDS.registered)]!];
            if (t202 >= 0 && dlv >= 0) {
              credentials.push(dlv - t202);
              credentialsAt.push([t202, dlv - t202]);
            }
            if (t202 >= 0 && reg >= 0) registered.push(reg - t202);
          }
        }
        cutRule.batches += batchesByCutRule(buffered, s.site.maxBatchSize, s.site.batchWindowMs);
        if (buffered.length > 0 && buffered.reduce((a, t) => Math.max(a, t)) - buffered.reduce((a, t) => Math.min(a, t)) > s.site.batchWindowMs) cutRule.sitesOverOneWindow++;
      }
    } finally {
      redis.disconnect();
    }
    const stages = { intake: percentiles(intake), ...Object.fromEntries(STAGE_NAMES.map((name, j) => [name, percentiles(stageSamples[j]!)])) };
    return { credentials: percentiles(credentials), registered: percentiles(registered), stages,
      bySlice: latencySlices(credentialsAt, LATENCY_SLICE_MS),
      steady: { afterMs: LATENCY_SLICE_MS, ...percentilesAfter(credentialsAt, LATENCY_SLICE_MS) },
      cutRule,
    };
  }
}

function postingSpan(requests: readonly { at: number }[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const r of requests) {
    first = Math.min(first, r.at);
    last = Math.max(last, r.at);
  }
  return requests.length === 0 ? 0 : last - first;
}
