/**
 * `npm run bench -- [--scenario ingest|e2e|e2e-random|latency|baselines|adaptive|budget|stages|all] [--devices N] [--sites M] …`
 * Runs the scenarios on one Redis (a private redis-server by default) and, with `--broker mosquitto` (the
 * default), a private Mosquitto for each enrollment scenario's MQTT side; prints each table and writes
 * bench/results/<timestamp>-<scenario>.json. Figures only: nothing here asserts a speed.
 */
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { MOSQUITTO_BINARY, MosquittoProcess } from '../src/devtools/mosquitto-process.js';
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
  const wantsMosquitto = options.broker === 'mosquitto' && options.scenarios.some((s) => BROKER_SCENARIOS.includes(s));
  if (wantsMosquitto && !existsSync(MOSQUITTO_BINARY)) {
    process.stderr.write(`bench: --broker mosquitto (the default) needs ${MOSQUITTO_BINARY}; install mosquitto or pass --broker embedded\n`);
    return 2;
  }
  const server = options.redisUrl ? undefined : await RedisServerProcess.start();
  const redisUrl = options.redisUrl ?? server!.url;
  try {
    const redis = new Redis(redisUrl);
    const version = /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1] ?? 'unknown';
    redis.disconnect();
    const machine = describeMachine(version);
    const command = `npm run bench -- ${argv.join(' ')}`.trim();
    process.stdout.write(`machine: ${machine.cores} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, Redis ${machine.redis} (${server ? 'private' : redisUrl})\n`);
    for (const scenario of options.scenarios) {
      const startedAt = new Date();
      process.stderr.write(`bench: ${scenario}…\n`);
      // a fresh broker per scenario, as aedes is: a run's ack role leaves its persistent session behind (an
      // hour's expiry), which would take a share of the next run's acks in the session share group
      const mosquitto = wantsMosquitto && BROKER_SCENARIOS.includes(scenario) ? await MosquittoProcess.start() : undefined;
      if (mosquitto) process.stderr.write(`bench: ${scenario} on a private Mosquitto (${mosquitto.url})\n`);
      const result = await RUNNERS[scenario](options, redisUrl, mosquitto).finally(() => mosquitto?.stop());
      const file = writeResult(result, { machine, command, startedAt });
      const extra = (result.tables ?? []).map((t) => `\n${renderExtraTable(t)}`).join('');
      process.stdout.write(`\n## ${scenario}\n\n${renderRows(result.rows)}${extra}\n(${file})\n`);
    }
    return 0;
  } finally {
    await server?.stop();
  }
}

process.exitCode = await main(process.argv.slice(2));
