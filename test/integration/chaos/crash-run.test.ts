/**
 * The chaos run, short, on every `npm test` (under a minute): 600 devices through three `fleet-enroll serve` processes,
 * role processes SIGKILLed at random moments and restarted, the private Redis (AOF everysec, rewrites off)
 * SIGKILLed and restarted mid-run, AWS faults and lost answers throughout, and a read-after-write delay on
 * the SSM reads. Every invariant is checked at the end as `npm run chaos` does.
 */
import { describe, it } from 'vitest';
import { formatFigures } from '../../chaos/support/chaos-figures.js';
import { expectInvariantsKept, runChaosScenario } from '../../chaos/support/chaos-scenario.js';

describe('crash run: SIGKILLed roles, a Redis restart, AWS faults and late SSM reads', () => {
  it('keeps every invariant', async () => {
    const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1e9);
    const { figures, events } = await runChaosScenario({
      command: 'npm test (crash-run)',
      devices: 600,
      sites: 3,
      maxBatchSize: 50,
      kills: 4,
      rate: 150,
      seed,
      groups: [['api', 'intake'], ['activation', 'delivery'], ['ack', 'reconcile']],
      pauseMs: [700, 1_300],
      consistencyDelayMs: 300,
      drainTimeoutMs: 60_000,
      keepFiles: false,
      log: () => undefined,
    });
    try {
      expectInvariantsKept(figures, 4);
    } catch (err) {
      console.log(formatFigures(figures));
      console.log(events.join('\n'));
      throw err;
    }
  }, 150_000);
});
