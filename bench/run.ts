/**
 * `npm run bench -- [--scenario ingest|e2e|e2e-random|latency|baselines|adaptive|budget|stages|all] [--devices N] [--sites M] …`
 * Runs the scenarios on one Redis (a private redis-server by default) and, with `--broker mosquitto`, one
 * private Mosquitto for the enrollment scenarios' MQTT side; prints each table and writes
 * bench/results/<timestamp>-<scenario>.json. Figures only: nothing here asserts a speed.
 */
import { Redis } from 'ioredis';
import { MosquittoProcess } from '../src/devtools/mosquitto-process.js';
import { RedisServerProcess } from '../src/devtools/redis-server-process.js';
import { BenchUsageError, BROKER_SCENARIOS, parseBenchOptions, type BenchOptions, type Scenario } from './bench-options.js';
import { describeMachine } from './machine.js';
import type { PrivateBroker } from './scenarios/enrollment.js';
import { renderExtraTable, renderRows, writeResult, type ScenarioResult } from './result-file.js';
import { baselinesScenario } from './scenarios/baselines.js';
import { e2eRandomScenario, e2eScenario, latencyScenario, stagesScenario } from './scenarios/e2e.js';
import { ingestScenario } from './scenarios/ingest.js';
import { adaptiveScenario } from './scenarios/adaptive.js';
import { budgetScenario } from './scenarios/budget.js';

/** `mosquitto`: the private Mosquitto for the scenario's MQTT side; absent: the emulator's embedded broker */
const RUNNERS: Record<Scenario, (options: BenchOptions, redisUrl: string, mosquitto: PrivateBroker | undefined) => Promise<ScenarioResult>> = {
  ingest: ingestScenario,
  e2e: e2eScenario,
  'e2e-random': e2eRandomScenario,
  latency: latencyScenario,
  baselines: baselinesScenario,
  adaptive: adaptiveScenario,
  budget: budgetScenario,
  stages: stagesScenario,
};

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(argv);
  } catch (err) {
    if (err instanceof BenchUsageError) {
      process.stderr.write(`bench: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const server = options.redisUrl ? undefined : await RedisServerProcess.start();
  const redisUrl = options.redisUrl ?? server!.url;
  let mosquitto: MosquittoProcess | undefined;
  try {
    if (options.broker === 'mosquitto' && options.scenarios.some((s) => BROKER_SCENARIOS.includes(s))) mosquitto = await MosquittoProcess.start();
    const redis = new Redis(redisUrl);
    const version = /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1] ?? 'unknown';
    redis.disconnect();
    const machine = describeMachine(version);
    const command = `npm run bench -- ${argv.join(' ')}`.trim();
    process.stdout.write(`machine: ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, Redis ${machine.redis} (${server ? 'private' : redisUrl})\n`);
    if (mosquitto) process.stdout.write(`MQTT: a private Mosquitto (${mosquitto.url}) for ${BROKER_SCENARIOS.join(', ')}\n`);
    for (const scenario of options.scenarios) {
      const startedAt = new Date();
      process.stderr.write(`bench: ${scenario}…\n`);
      const result = await RUNNERS[scenario](options, redisUrl, BROKER_SCENARIOS.includes(scenario) ? mosquitto : undefined);
      const file = writeResult(result, { machine, command, startedAt });
      const extra = (result.tables ?? []).map((t) => `\n${renderExtraTable(t)}`).join('');
      process.stdout.write(`\n## ${scenario}\n\n${renderRows(result.rows)}${extra}\n(${file})\n`);
    }
    return 0;
  } finally {
    await mosquitto?.stop();
    await server?.stop();
  }
}

process.exitCode = await main(process.argv.slice(2));
