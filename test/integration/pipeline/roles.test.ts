/**
 * Roles split over several orchestrators against one Redis (as over several machines): one runs intake,
 * activation and delivery; two others each run ack and reconcile. Acks reach one subscriber each (shared
 * subscription), one reconcile leader at a time does the work, and the result is the same as one process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { PipelineHarness } from './support/pipeline-harness.js';

function acceptedAcks(text: string): number {
  return Number(/fleet_acks_total\{source="mqtt",result="accepted"\} (\d+)/.exec(text)?.[1] ?? 0);
}

describe('pipeline: roles in separate orchestrators', () => {
  let h: PipelineHarness;
  const others: { app: App; metrics: Metrics }[] = [];

  beforeAll(async () => {
    h = await PipelineHarness.start({ sites: [{ id: 'm-a', maxBatchSize: 100 }, { id: 'm-b', maxBatchSize: 50 }], roles: ['intake', 'activation', 'delivery'] });
    for (let i = 0; i < 2; i++) {
      const metrics = new Metrics();
      const app = await createApp(h.config, { roles: ['ack', 'reconcile'], logger: createLogger('debug', h.logs), metrics });
      await app.start();
      others.push({ app, metrics });
    }
  });
  afterAll(async () => {
    for (const o of others) await o.app.stop();
    await h?.stop();
  });

  it('registers every device once, with the minimum number of activations', async () => {
    const events = [...h.events('m-a', 250), ...h.events('m-b', 120)];
    await h.enroll(events);
    await h.waitFor(() => h.allSettled(['m-a', 'm-b'], events.length), 60_000, () => h.describeCounts(['m-a', 'm-b']));
    await h.waitFor(() => h.emulator.state.activations.live === 0, 10_000, () => 'activation still live');
    expect(h.emulator.state.activations.created).toBe(3 + 3);
    // each ack handled by exactly one of the two subscribers
    const accepted = await Promise.all(others.map(async (o) => acceptedAcks(await o.metrics.registry.metrics())));
    expect(accepted.reduce((a, b) => a + b, 0)).toBe(events.length);
    // the intake/activation/delivery process saw no ack and did no reconcile work
    expect(acceptedAcks(await h.metrics.registry.metrics())).toBe(0);
    expect(await h.metrics.registry.metrics()).not.toMatch(/fleet_accept_to_registered_seconds_count [1-9]/);
  });
});
