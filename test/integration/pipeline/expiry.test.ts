/**
 * The pipeline at activation expiry: with a short activation TTL, devices that never ack are re-batched into a new
 * activation (the old one deleted, retained credentials cleared); past config.maxRebatches they end
 * `failed` with a reason a person can act on. Devices that did register stay registered. A node registered
 * with the activation that no device claims is flagged as a stray.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BehaviourPicker } from '../../../src/device/simulator/device-behaviour.js';
import { retainedLeft } from './support/credentials-observer.js';
import { PipelineHarness } from './support/pipeline-harness.js';
import { MOSQUITTO_URL } from './support/test-config.js';

// long enough that the test's own registration beats the expiry on a loaded 2-core machine
const TTL_MS = 4_000;

describe('pipeline: activation expiry', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await PipelineHarness.start({
      sites: [{ id: 'x-a', maxBatchSize: 100, activationTtlHours: TTL_MS / 3_600_000 }],
      maxRebatches: 1,
      simulator: { silentFraction: 0.5 },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('re-batches silent devices into a new activation, then fails them past the bound', async () => {
    const events = h.events('x-a', 60);
    const picker = new BehaviourPicker({ silentFraction: 0.5 });
    const silent = events.filter((e) => picker.pick(e.thingName) === 'silent');
    expect(silent.length).toBeGreaterThan(0);
    expect(silent.length).toBeLessThan(events.length);
    await h.enroll(events);

    // someone registers a node with a silent device's credentials: a registration no device claims (a stray)
    const silentCredentials = async () => h.observer.received.find((r) => r.message.deviceId === silent[0]!.deviceId)?.message;
    await h.waitFor(async () => (await silentCredentials()) !== undefined, 10_000, () => 'no credentials for the silent device');
    const stolen = (await silentCredentials())!;
    const registered = await fetch(new URL('/emulator/register', h.emulator.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ activationId: stolen.activationId, activationCode: stolen.activationCode, hostname: 'intruder' }),
    });
    expect(registered.status).toBe(200);

    await h.waitFor(() => h.allSettled(['x-a'], events.length, ['registered', 'failed']), 30_000, () => h.describeCounts(['x-a']));
    const counts = await h.counts('x-a');
    expect(counts).toMatchObject({ registered: events.length - silent.length, failed: silent.length });

    // two activations: the first for all, the second for the silent ones only; both deleted
    const activations = [...h.seen.values()].sort((a, b) => b.registrationLimit - a.registrationLimit);
    expect(activations.map((a) => a.registrationLimit)).toEqual([events.length, silent.length]);
    expect(h.emulator.state.activations.created).toBe(2);
    await h.waitFor(() => h.emulator.state.activations.live === 0, 5_000, () => 'activation still live');
    for (const a of activations) {
      expect(await h.app.services.batch(a.tags['fleet:batch']!)).toMatchObject({ state: 'expired', activationId: a.activationId });
    }
    // the stray is flagged on its batch and in the metrics
    expect((await h.app.services.batch(activations[0]!.tags['fleet:batch']!))!.strays).toBe(1);
    expect((await h.app.services.batch(activations[1]!.tags['fleet:batch']!))!.strays).toBe(0);

    const failed = await h.app.services.device(silent[0]!.deviceId);
    expect(failed).toMatchObject({ state: 'failed', rebatches: 2 });
    expect(failed!.error).toMatch(/activation expired 2 time\(s\) before the device registered: check that the device is online/);
    expect(failed!.batchId).toBe(activations[1]!.tags['fleet:batch']);
    const fine = events.find((e) => !silent.includes(e))!;
    expect(await h.app.services.device(fine.deviceId)).toMatchObject({ state: 'registered', rebatches: 0, batchId: activations[0]!.tags['fleet:batch'] });

    const metrics = await h.metrics.registry.metrics();
    expect(metrics).toContain(`fleet_devices_rebatched_total ${silent.length}`);
    expect(metrics).toContain('fleet_batches_finished_total{state="expired"} 2');
    expect(metrics).toContain('fleet_stray_registrations_total 1');
    // each silent device got credentials twice (one per activation), each other device once
    expect(new Set(h.observer.received.map((r) => r.message.deliveryId)).size).toBe(events.length + silent.length);
    expect(await retainedLeft(MOSQUITTO_URL, h.config.topics.credentials)).toEqual([]);

    // a retry re-drives the failed ones (gen reset); they are silent, so they expire again, but are in flight now
    expect(await h.app.services.retrySite('x-a')).toEqual({ batches: 1, devices: silent.length });
    expect((await h.app.services.device(silent[0]!.deviceId))!.rebatches).toBe(0);
  });
});
