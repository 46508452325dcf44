/**
 * One id per test-suite run, set by the global setup (test/setup/leftovers.ts) and put into every Redis key
 * prefix and MQTT topic root the tests use, so the check at the end of the suite finds whatever this run
 * left on the shared Redis and Mosquitto, and nothing another run (or another checkout) is doing.
 */
import { randomBytes } from 'node:crypto';

export const SUITE_RUN_ENV = 'FLEET_TEST_SUITE_RUN';

/** the suite run's id (`solo` when a file runs outside the suite's setup) */
export const SUITE_RUN = process.env[SUITE_RUN_ENV] ?? 'solo';

/** `kind-<suite run>-<random>`: a prefix or root no other test (or run) shares */
export function testScope(kind: string): string {
  return `${kind}-${SUITE_RUN}-${randomBytes(4).toString('hex')}`;
}

/** `t-<suite run>/kind-<random>`: an MQTT topic root of its own; all of the run's lie under `t-<suite run>/#` */
export function topicRoot(kind: string): string {
  return `t-${SUITE_RUN}/${kind}-${randomBytes(4).toString('hex')}`;
}
