/**
 * The pipeline under AWS faults (emulator over HTTP, real SDK): throttling + errors slow the pipeline
 * but every device registers and no batch ever has two live activations; a permanent error fails the batch
 * at once with the AWS message and a retry completes it once the cause is gone; an activation created
 * whose answer was lost is found and deleted, leaving exactly one live activation for the batch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { minimumActivations } from '../../../src/domain/batching.js';
import { PipelineHarness } from './support/pipeline-harness.js';

const SSM_FAULTS = { throttle: 0.5, error: 0.1 };

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('pipeline under AWS faults', () => {
  let h: PipelineHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('throttling 50% and errors 10% on every SSM call: all register, retries and throttles visible, one live activation per batch', async () => {
    const sites = [
      { id: 'f-a', maxBatchSize: 12 },
      { id: 'f-b', maxBatchSize: 10 },
    ];
    h = await PipelineHarness.start({
      sites,
      batchWindowMs: 500,
      maxAttempts: 12,
      emulator: {
        seed: 7,
        faults: {
          'ssm.CreateActivation': SSM_FAULTS,
          'ssm.DescribeActivations': SSM_FAULTS,
          'ssm.DeleteActivation': SSM_FAULTS,
          'ssm.DescribeInstanceInformation': SSM_FAULTS,
          'ssm.AddTagsToResource': SSM_FAULTS,
        },
      },
    });
    const events = [...h.events('f-a', 120), ...h.events('f-b', 90)];
    expect(await h.enroll(events)).toEqual({ accepted: 210, duplicates: 0 });
    const ids = sites.map((s) => s.id);
    await h.waitFor(() => h!.allSettled(ids, 210), 90_000, () => h!.describeCounts(ids));
    await h.waitFor(() => h!.emulator.state.activations.live === 0, 20_000, () => `live: ${h!.emulator.state.activations.live}`);
    // tagging runs behind registration: let it finish so that no tag call is in flight while counts are compared
    const tagBacklog = async (): Promise<number> => (await h!.app.services.site('f-a'))!.tagBacklog! + (await h!.app.services.site('f-b'))!.tagBacklog!;
    await h.waitFor(async () => (await tagBacklog()) === 0, 30_000, async () => `tag backlog ${await tagBacklog()}`);

    const ops = Object.values(h.emulator.state.operations);
    const injected = { throttled: ops.reduce((n, o) => n + o.throttled, 0), failed: ops.reduce((n, o) => n + o.failed, 0) };
    expect(h.emulator.state.operations['ssm.CreateActivation']!.throttled).toBeGreaterThan(0);
    expect(injected.failed).toBeGreaterThan(0);
    // what the emulator injected is what /metrics shows (DescribeActivations is also called by this test's sampler)
    const metrics = await h.metrics.registry.metrics();
    const shown = (operation: string, outcome: string): number =>
      Number(new RegExp(`fleet_aws_calls_total\\{operation="${operation}",outcome="${outcome}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    for (const op of ['CreateActivation', 'DeleteActivation', 'DescribeInstanceInformation', 'AddTagsToResource']) {
      const injectedHere = h.emulator.state.operations[`ssm.${op}`]!;
      expect({ op, throttled: shown(op, 'throttled'), error: shown(op, 'error') }).toEqual({ op, throttled: injectedHere.throttled, error: injectedHere.failed });
    }
    // an activation attempt is throttled by CreateActivation or by the orphan lookup before it (DescribeActivations,
    // which only the activation job calls here; the emulator's own count includes the test's sampler)
    expect(metricValue(metrics, 'fleet_activation_throttles_total')).toBe(
      h.emulator.state.operations['ssm.CreateActivation']!.throttled + shown('DescribeActivations', 'throttled'),
    );
    const retries = [...metrics.matchAll(/fleet_aws_retries_total\{[^}]*\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(retries + metricValue(metrics, 'fleet_activation_retries_total')).toBeGreaterThan(0);
    // faults cost calls, never extra activations
    const minimum = minimumActivations(120, 12) + minimumActivations(90, 10);
    expect(h.emulator.state.activations.created).toBe(minimum);
    expect(Math.max(...h.maxLivePerBatch.values())).toBe(1);
  });

  it('a permanent error fails the batch at once with the AWS message; after the cause is gone, retry completes it', async () => {
    // an emulator clock two days ahead: our 24 h expiry is in its past, which AWS refuses (ValidationException)
    let skewMs = 2 * 24 * 3600 * 1000;
    h = await PipelineHarness.start({ sites: [{ id: 'p-a', maxBatchSize: 50 }], emulator: { now: () => Date.now() + skewMs } });
    const events = h.events('p-a', 30);
    await h.enroll(events);
    await h.waitFor(() => h!.allSettled(['p-a'], 30, ['failed']), 20_000, () => h!.describeCounts(['p-a']));

    const device = await h.app.services.device(events[0]!.deviceId);
    expect(device!.error).toMatch(/CreateActivation failed: ValidationException: .*ExpirationDate must be in the future/);
    const batch = await h.app.services.batch(device!.batchId!);
    expect(batch).toMatchObject({ state: 'failed', attempts: 1, size: 30, activationId: null });
    expect(batch!.error).toBe(device!.error);
    expect(batch!.counts.failed).toBe(30);
    expect(h.emulator.state.operations['ssm.CreateActivation']!.calls).toBe(1);

    skewMs = 0;
    expect(await h.app.services.retryBatch(batch!.batchId)).toEqual({ batches: 1, devices: 30 });
    await h.waitFor(() => h!.allSettled(['p-a'], 30), 30_000, () => h!.describeCounts(['p-a']));
    const after = await h.app.services.device(events[0]!.deviceId);
    expect(after).toMatchObject({ state: 'registered', error: null });
    expect(after!.batchId).not.toBe(batch!.batchId);
    await h.waitFor(() => h!.emulator.state.activations.live === 0, 10_000, () => 'activation still live');
    expect(await h.app.services.retryAllFailed()).toEqual({ batches: 0, devices: 0 });
  });

  it('created, answer lost: the orphan is found by DefaultInstanceName and deleted; exactly one live activation remains', async () => {
    h = await PipelineHarness.start({
      sites: [{ id: 'd-a', maxBatchSize: 20 }],
      maxAttempts: 30,
      // devices stay silent, so the batch's activation stays live for the check
      simulator: { silentFraction: 1 },
      emulator: { faults: { 'ssm.CreateActivation': { dropAnswer: 1 } } },
    });
    await h.enroll(h.events('d-a', 20));
    const dropped = (): number => h!.emulator.state.operations['ssm.CreateActivation']?.dropped ?? 0;
    await h.waitFor(() => dropped() >= 2, 20_000, () => `dropped answers: ${dropped()}`);
    h.emulator.setFaults({});
    const batchId = async (): Promise<string | null> => (await h!.app.services.device('d-a-SN-000000'))?.batchId ?? null;
    await h.waitFor(async () => (await h!.app.services.batch((await batchId())!))?.state === 'active', 20_000, () => 'batch not active');

    const id = (await batchId())!;
    const live = h.emulator.state.activations.list.filter((a) => a.defaultInstanceName === `fleet-${id}` && !a.expired);
    const batch = await h.app.services.batch(id);
    expect(live).toHaveLength(1);
    expect(live[0]!.activationId).toBe(batch!.activationId);
    expect(h.emulator.state.activations.created).toBe(dropped() + 1);
    expect(batch!.attempts).toBe(dropped() + 1);
    const metrics = await h.metrics.registry.metrics();
    expect(metricValue(metrics, 'fleet_orphan_activations_deleted_total')).toBe(dropped());
    expect(Math.max(...h.maxLivePerBatch.values())).toBe(1);
  });

  it('answer lost and SSM reads lagging: the late orphan is still found and deleted before the next activation', async () => {
    const LAG = { consistencyDelayMs: 1_000 };
    h = await PipelineHarness.start({
      sites: [{ id: 'e-a', maxBatchSize: 10 }],
      maxAttempts: 30,
      readAfterWriteMs: 1_500,
      simulator: { silentFraction: 1 },
      emulator: { faults: { 'ssm.CreateActivation': { dropAnswer: 1 }, 'ssm.DescribeActivations': LAG, 'ssm.DescribeInstanceInformation': LAG } },
    });
    await h.enroll(h.events('e-a', 10));
    const dropped = (): number => h!.emulator.state.operations['ssm.CreateActivation']?.dropped ?? 0;
    await h.waitFor(() => dropped() >= 2, 30_000, () => `dropped answers: ${dropped()}`);
    // answers come back; the reads still lag
    h.emulator.setFaults({ 'ssm.DescribeActivations': LAG, 'ssm.DescribeInstanceInformation': LAG });
    const batchId = async (): Promise<string | null> => (await h!.app.services.device('e-a-SN-000000'))?.batchId ?? null;
    await h.waitFor(async () => (await h!.app.services.batch((await batchId())!))?.state === 'active', 30_000, () => 'batch not active');

    const id = (await batchId())!;
    const batch = await h.app.services.batch(id);
    const live = h.emulator.state.activations.list.filter((a) => a.defaultInstanceName === `fleet-${id}`);
    expect(live.map((a) => a.activationId)).toEqual([batch!.activationId]);
    // every lost attempt's orphan was deleted before the next one was created: never two at once
    expect(h.maxLivePerBatch.get(`fleet-${id}`)).toBe(1);
    expect(h.emulator.state.activations.created).toBe(dropped() + 1);
    expect(metricValue(await h.metrics.registry.metrics(), 'fleet_orphan_activations_deleted_total')).toBe(dropped());
  });
});
