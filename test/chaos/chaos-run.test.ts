/**
 * `npm run chaos`: a 20,000-device enrollment through the roles as six separate `fleet-enroll serve`
 * processes, while random role processes are SIGKILLed at random moments and restarted (≥ 20 times), the
 * private Redis (AOF, appendfsync everysec, rewrites off) is SIGKILLed and restarted mid-run, and the
 * emulator throttles, fails, delays and drops CreateActivation answers (and throttles/fails the other SSM
 * operations) throughout. At the end every invariant is checked and the figures are printed (docs/RELIABILITY.md).
 *
 * Knobs (env): CHAOS_DEVICES (20000), CHAOS_SITES (8), CHAOS_KILLS (24), CHAOS_RATE devices/s posted (300),
 * CHAOS_SEED, CHAOS_CONSISTENCY_MS (0: SSM reads see writes at once; e.g. 2000 delays new activations and
 * nodes in DescribeActivations / DescribeInstanceInformation), CHAOS_KEEP_FILES=1 keeps the run directory.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { formatFigures } from './support/chaos-figures.js';
import { expectInvariantsKept, runChaosScenario } from './support/chaos-scenario.js';

const KILLS = Number(process.env.CHAOS_KILLS ?? 24);
const ROLES = ['api', 'intake', 'activation', 'delivery', 'ack', 'reconcile'] as const;

describe('chaos: 20,000 devices, SIGKILLed roles, a Redis restart, AWS faults', () => {
  it('keeps every invariant', async () => {
    const { figures, events } = await runChaosScenario({
      command: 'npm run chaos',
      devices: Number(process.env.CHAOS_DEVICES ?? 20_000),
      sites: Number(process.env.CHAOS_SITES ?? 8),
      maxBatchSize: 500,
      kills: KILLS,
      rate: Number(process.env.CHAOS_RATE ?? 300),
      seed: Number(process.env.CHAOS_SEED ?? Date.now() % 1e9),
      groups: ROLES.map((r) => [r]),
      pauseMs: [1_000, 3_000],
      consistencyDelayMs: Number(process.env.CHAOS_CONSISTENCY_MS ?? 0),
      drainTimeoutMs: 15 * 60_000,
      keepFiles: process.env.CHAOS_KEEP_FILES === '1',
      log: (line) => console.log(`chaos: ${line}`),
    });
    console.log(formatFigures(figures));
    const figuresFile = join(tmpdir(), 'fleet-chaos-figures.json');
    writeFileSync(figuresFile, JSON.stringify({ ...figures, events }, null, 2));
    console.log(`chaos: figures in ${figuresFile}`);
    expectInvariantsKept(figures, Math.min(KILLS, 20));
  });
});
