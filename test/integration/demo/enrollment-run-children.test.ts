/**
 * runEnrollment with every orchestrator role in child processes (the benchmarks' layout): this process only
 * posts and polls; the API runs in a child whose URL the lines post to. Real Redis (a prefix of its own,
 * deleted by the run), the emulator and its embedded broker, the device simulator.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runEnrollment } from '../../../src/cli/demo/enrollment-run.js';

describe('runEnrollment with the orchestrator in child processes', () => {
  it('registers every device with the minimum activations while this process runs no role', async () => {
    const summary = await runEnrollment({
      devices: 300,
      sites: 3,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      maxBatchSize: 100,
      batchWindowMs: 300,
      splitRoles: true,
      orchestratorInChildren: true,
      logDestination: pino.destination('/dev/null'),
      logLevel: 'warn',
      timeoutMs: 60_000,
    });
    expect(summary.registered).toBe(300);
    expect(summary.failed).toBe(0);
    expect(summary.activations).toBe(summary.minimumActivations);
    expect(summary.details.rolesHere).toEqual([]);
    const groups = (summary.details.rolesProcesses ?? []).map((c) => [...c.roles].sort());
    expect(groups).toEqual([
      ['ack', 'reconcile', 'tag'],
      ['activation', 'api', 'delivery', 'intake'],
    ]);
    for (const child of summary.details.rolesProcesses ?? []) expect(child.atPeak.rss).toBe(child.peakRssBytes);
    expect(summary.details.liveActivationsLeft).toBe(0);
    expect(summary.details.retainedMessagesLeft).toBe(0);
  }, 90_000);
});
