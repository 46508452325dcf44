/** `npm run bench -- [flags]`: which scenarios, how big. Bad flags give one clear line (BenchUsageError). */
import { parseArgs } from 'node:util';

export const SCENARIOS = ['ingest', 'e2e', 'e2e-random', 'latency', 'baselines', 'adaptive', 'budget', 'stages'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const BROKERS = ['mosquitto', 'embedded'] as const;
export type Broker = (typeof BROKERS)[number];
/** the scenarios whose MQTT side `--broker` picks: those going through runEnrollment (baselines keeps the embedded broker, like its naive side) */
export const BROKER_SCENARIOS: readonly Scenario[] = ['e2e', 'e2e-random', 'latency', 'budget', 'stages'];
/** measured: e2e 100,000 on Mosquitto as fast as on aedes (bench/README.md, "Ack path"), and closer to AWS IoT, a broker that drops */
const DEFAULT_BROKER: Broker = 'mosquitto';

export interface BenchOptions {
  readonly scenarios: readonly Scenario[];
  /** e2e and e2e-random: devices and sites */
  readonly devices: number;
  readonly sites: number;
  /** e2e and e2e-random: the sites' batch window (absent: 1,000 ms for e2e, 60,000 ms for e2e-random) */
  readonly windowMs: number | undefined;
  /** e2e-random: request sizes drawn from 1 … requestMax, with this seed */
  readonly requestMax: number;
  readonly seed: number;
  /** ingest: events in total, per request, and concurrent API clients */
  readonly events: number;
  readonly requestEvents: number;
  readonly clients: number;
  /** latency: steady rate, devices, sites */
  readonly rate: number;
  readonly latencyDevices: number;
  readonly latencySites: number;
  /** naive baseline: devices, and the emulator's CreateActivation TPS cap (fleet-enroll gets the same) */
  readonly naiveDevices: number;
  readonly tps: number;
  /** adaptive: the emulator's TPS cap (the limiter's ceiling is ten times it) and how long */
  readonly adaptiveCap: number;
  readonly adaptiveSeconds: number;
  /** the MQTT broker of the enrollment scenarios: a private Mosquitto started for the run, or the emulator's embedded aedes */
  readonly broker: Broker;
  /** the configured Redis instead of a private redis-server for the run */
  readonly redisUrl: string | undefined;
  /** orchestrator log (warn and above) */
  readonly logFile: string;
  /** profile the orchestrator child processes (`node --cpu-prof`) into this directory */
  readonly cpuProfileDir: string | undefined;
}

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export const USAGE = `usage: npm run bench -- [--scenario ingest,e2e,e2e-random,latency,baselines,adaptive,budget,stages|all] [--devices N] [--sites M] [options]

  --scenario S        one scenario, several comma-separated, or all (default all)
  --devices N         e2e devices (default 100000)        --sites M          e2e sites (default 100)
  --window MS         e2e, e2e-random: batch window (default 1000 for e2e, 60000 for e2e-random)
  --request-max N     e2e-random: request sizes 1 … N (default 1500)
  --seed N            e2e-random: the seed of the request sizes and order (default 16)
  --events N          ingest events (default 500000)      --request-events N per request (default 10000)
  --clients N         concurrent API clients (default 4)
  --rate N            latency: devices/s (default 1000)   --latency-devices N (default 30000)
  --latency-sites N   (default 10)
  --naive-devices N   naive baseline devices (default 1000)
  --tps N             emulator CreateActivation TPS cap for the naive baseline and fleet-enroll next to it (default 50)
  --adaptive-cap N    adaptive: emulator DescribeInstanceInformation TPS cap, limiter ceiling 10x (default 20)
  --adaptive-seconds N  adaptive: how long the callers call (default 60)
  --broker B          e2e, e2e-random, latency, budget, stages: mosquitto (a private one started for the run, default
                      per-client limits, $SYS read for the messages it dropped) or embedded (the emulator's aedes)
                      (default ${DEFAULT_BROKER})
  --redis-url URL     use this Redis (default: a private redis-server started for the run, so INFO memory is ours alone)
  --log FILE          orchestrator log (default /tmp/fleet-bench.log)
  --cpu-prof DIR      run the orchestrator child processes under node --cpu-prof (read with node bench/profile-top.mjs)`;

function whole(flag: string, value: string | undefined, fallback: number, min = 1, max = 10_000_000): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new BenchUsageError(`--${flag}: must be a whole number ${min}–${max}, got "${value}"`);
  return Number(value);
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        scenario: { type: 'string', default: 'all' },
        devices: { type: 'string' },
        sites: { type: 'string' },
        window: { type: 'string' },
        'request-max': { type: 'string' },
        seed: { type: 'string' },
        events: { type: 'string' },
        'request-events': { type: 'string' },
        clients: { type: 'string' },
        rate: { type: 'string' },
        'latency-devices': { type: 'string' },
        'latency-sites': { type: 'string' },
        'naive-devices': { type: 'string' },
        tps: { type: 'string' },
        'adaptive-cap': { type: 'string' },
        'adaptive-seconds': { type: 'string' },
        broker: { type: 'string' },
        'redis-url': { type: 'string' },
        log: { type: 'string' },
        'cpu-prof': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new BenchUsageError((err as Error).message);
  }
  if (values.help) throw new BenchUsageError(USAGE);
  const scenario = values.scenario!;
  const picked = scenario === 'all' ? [...SCENARIOS] : scenario.split(',');
  for (const name of picked) {
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new BenchUsageError(`--scenario: ${SCENARIOS.join(', ')} (comma-separated) or all; got "${name}"`);
  }
  const broker = values.broker ?? DEFAULT_BROKER;
  if (!(BROKERS as readonly string[]).includes(broker)) throw new BenchUsageError(`--broker: ${BROKERS.join(' or ')}, got "${broker}"`);
  const options: BenchOptions = {
    scenarios: picked as Scenario[],
    devices: whole('devices', values.devices, 100_000),
    sites: whole('sites', values.sites, 100, 1, 10_000),
    windowMs: values.window === undefined ? undefined : whole('window', values.window, 1000, 1, 3_600_000),
    requestMax: whole('request-max', values['request-max'], 1500, 1, 10_000),
    seed: whole('seed', values.seed, 16, 0, 2 ** 32 - 1),
    events: whole('events', values.events, 500_000),
    requestEvents: whole('request-events', values['request-events'], 10_000, 1, 10_000),
    clients: whole('clients', values.clients, 4, 1, 64),
    rate: whole('rate', values.rate, 1000, 1, 100_000),
    latencyDevices: whole('latency-devices', values['latency-devices'], 30_000),
    latencySites: whole('latency-sites', values['latency-sites'], 10, 1, 10_000),
    naiveDevices: whole('naive-devices', values['naive-devices'], 1000, 1, 100_000),
    tps: whole('tps', values.tps, 50, 1, 10_000),
    adaptiveCap: whole('adaptive-cap', values['adaptive-cap'], 20, 1, 1_000),
    adaptiveSeconds: whole('adaptive-seconds', values['adaptive-seconds'], 60, 5, 3_600),
    broker: broker as Broker,
    redisUrl: values['redis-url'],
    logFile: values.log ?? '/tmp/fleet-bench.log',
    cpuProfileDir: values['cpu-prof'],
  };
  if (options.sites > options.devices) throw new BenchUsageError(`--sites: ${options.sites} sites need at least as many devices (--devices ${options.devices})`);
  if (options.latencySites > options.latencyDevices) throw new BenchUsageError('--latency-sites: more sites than --latency-devices');
  return options;
}
