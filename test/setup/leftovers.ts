/**
 * Global setup of the integration tests: gives the suite run its id (every test's Redis prefix and MQTT topic
 * root carries it, see test/support/test-run.ts) and, when the run ends, fails it if anything of it is left
 * on the shared services: a retained message on Mosquitto under one of its topics, or a Redis key of its own.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { readRetained } from '../support/retained.js';
import { SUITE_RUN_ENV } from '../support/test-run.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MQTT_URL = process.env.FLEET_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

export default function setup(): () => Promise<void> {
  const run = process.env[SUITE_RUN_ENV] ?? `s${randomBytes(4).toString('hex')}`;
  process.env[SUITE_RUN_ENV] = run;
  return async () => {
    const problems = [...(await redisLeftovers(run)), ...(await retainedLeftovers(run))];
    if (problems.length > 0) {
      // vitest reports a teardown error but would still exit 0: the exit code says it too
      process.exitCode = 1;
      throw new Error(`the tests left ${problems.length} thing(s) on the shared services (suite run ${run}):\n  ${problems.slice(0, 20).join('\n  ')}`);
    }
  };
}

async function redisLeftovers(run: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${run}*`, 'COUNT', 10_000);
      cursor = next;
      found.push(...keys.map((k) => `redis key ${k}`));
    } while (cursor !== '0');
    return found;
  } finally {
    redis.disconnect();
  }
}

async function retainedLeftovers(run: string): Promise<string[]> {
  // the tests' topic roots (t-<run>/…) and the device tests' sites (fleet/enroll/<site with the run's id>/…)
  const roots = await readRetained(MQTT_URL, `t-${run}/#`, `t-${run}/leftover-check`);
  const devices = await readRetained(MQTT_URL, 'fleet/enroll/#', `fleet/enroll/leftover-check-${randomBytes(4).toString('hex')}`);
  return [...roots, ...devices.filter((m) => m.topic.includes(run))].map((m) => `retained message on ${m.topic}`);
}
