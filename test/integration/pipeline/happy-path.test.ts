/**
 * The pipeline, happy path: 2,500 devices across 3 sites → the minimum number of activations, each
 * with RegistrationLimit = its batch size and the right tags; each device gets only its own credentials on
 * its own topic, registers, acks and ends `registered` (node tagged); every activation is deleted and no
 * retained credentials message is left; no activation code anywhere but the device topics.
 */
import { ListTagsForResourceCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchSizes, minimumActivations } from '../../../src/domain/batching.js';
import { retainedLeft } from './support/credentials-observer.js';
import { PipelineHarness } from './support/pipeline-harness.js';
import { MOSQUITTO_URL } from './support/test-config.js';
import { describeLeaks } from '../../support/secret-search.js';

const SITES: { id: string; maxBatchSize: number; devices: number; tags: Record<string, string> }[] = [
  { id: 'plant-a', maxBatchSize: 1000, devices: 1200, tags: { Site: 'a', Owner: 'factory' } },
  { id: 'plant-b', maxBatchSize: 500, devices: 800, tags: { Site: 'b', Environment: 'Production' } },
  { id: 'plant-c', maxBatchSize: 1000, devices: 500, tags: { Site: 'c' } },
];
const TOTAL = SITES.reduce((n, s) => n + s.devices, 0);

describe('pipeline: 2,500 devices across 3 sites', () => {
  let h: PipelineHarness;

  beforeAll(async () => {
    h = await PipelineHarness.start({
      sites: SITES.map((s) => ({ id: s.id, maxBatchSize: s.maxBatchSize, tags: s.tags })),
      // wide enough that every site's devices arrive within one window
      batchWindowMs: 1_500,
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('enrolls every device with the minimum number of activations and cleans up after itself', async () => {
    const events = SITES.flatMap((s) => h.events(s.id, s.devices));
    const result = await h.enroll(events, 500);
    expect(result).toEqual({ accepted: TOTAL, duplicates: 0 });
    // the same events again while in flight: duplicates, not enqueued twice
    expect(await h.app.services.enroll(events.slice(0, 10))).toEqual({ accepted: 0, duplicates: 10 });

    const ids = SITES.map((s) => s.id);
    // Redis mid-run, while batches hold their sealed codes and jobs are queued: searched for codes below
    await h.waitFor(() => h.observer.received.length > 0, 30_000, () => 'no credentials yet');
    // batches first: a busy machine may finish a batch (and delete its sealed code) while the whole dump runs
    const midRun = (await h.redisDump(h.keys.batch('*'))) + (await h.redisDump());
    await h.waitFor(() => h.allSettled(ids, TOTAL), 200_000, () => h.describeCounts(ids));
    await h.waitFor(() => h.emulator.state.activations.live === 0, 10_000, () => `live activations: ${h.emulator.state.activations.live}`);

    // exactly the minimum, each sized to its batch and tagged with site, batch and the site's tags
    const minimum = SITES.reduce((n, s) => n + minimumActivations(s.devices, s.maxBatchSize), 0);
    expect(h.emulator.state.activations.created).toBe(minimum);
    expect(h.emulator.state.operations['ssm.CreateActivation']?.calls).toBe(minimum);
    expect(h.seen.size).toBe(minimum);
    for (const s of SITES) {
      const mine = [...h.seen.values()].filter((a) => a.tags['fleet:site'] === s.id);
      expect(mine.map((a) => a.registrationLimit).sort((x, y) => x - y)).toEqual(batchSizes(s.devices, s.maxBatchSize).sort((x, y) => x - y));
      for (const a of mine) {
        expect(a.tags).toMatchObject({ ...s.tags, 'fleet:site': s.id, 'fleet:batch': a.defaultInstanceName.replace(/^fleet-/, '') });
        const batchId = a.tags['fleet:batch']!;
        // the batch is recorded completed just after its activation is deleted: the emulator may see it first
        await h.waitFor(async () => (await h.app.services.batch(batchId))?.state !== 'active', 10_000, () => `batch ${batchId} still active`);
        const batch = await h.app.services.batch(batchId);
        expect(batch).toMatchObject({ state: 'completed', size: a.registrationLimit, activationId: a.activationId, siteId: s.id });
      }
    }
    // one live activation per batch, counted by the emulator at every create (no sampling)
    expect(h.maxLivePerBatch.size).toBe(minimum);
    expect(Math.max(...h.maxLivePerBatch.values())).toBe(1);

    // every device: its own credentials (one delivery; a redelivery repeats it) on its own topic
    expect(new Set(h.observer.received.map((r) => r.message.deliveryId)).size).toBe(TOTAL);
    const byDevice = new Map(events.map((e) => [e.deviceId, e]));
    const delivered = new Set<string>();
    for (const r of h.observer.received) {
      const e = byDevice.get(r.message.deviceId)!;
      expect({ site: r.topicSiteId, thing: r.topicThingName }).toEqual({ site: e.siteId, thing: e.thingName });
      delivered.add(r.message.deviceId);
    }
    expect(delivered.size).toBe(TOTAL);

    // every device registered; the tag role then tags each node by device and site (registration never waits for it)
    const siteIds = [...new Set(events.map((e) => e.siteId))];
    const tagBacklog = async (): Promise<number> => {
      let n = 0;
      for (const id of siteIds) n += (await h.app.services.site(id))!.tagBacklog ?? 0;
      return n;
    };
    await h.waitFor(async () => (await tagBacklog()) === 0, 30_000, async () => `tag backlog ${await tagBacklog()}`);
    const sample = [events[0]!, events[1_500]!, events[TOTAL - 1]!];
    const ssm = new SSMClient({ region: h.config.awsRegion });
    try {
      for (const e of sample) {
        const device = await h.app.services.device(e.deviceId);
        expect(device).toMatchObject({ state: 'registered', siteId: e.siteId, error: null, tagState: 'tagged' });
        expect(Date.parse(device!.taggedAt!)).toBeGreaterThanOrEqual(Date.parse(device!.timestamps.registered!));
        expect(device!.managedNodeId).toMatch(/^mi-[0-9a-f]{17}$/);
        const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: device!.managedNodeId! }));
        const map = Object.fromEntries((tags.TagList ?? []).map((t) => [t.Key, t.Value]));
        expect(map).toMatchObject({ 'fleet:device': e.deviceId, 'fleet:site': e.siteId });
      }
    } finally {
      ssm.destroy();
    }

    // nothing retained is left on the device topics
    expect(await retainedLeft(MOSQUITTO_URL, h.config.topics.credentials)).toEqual([]);
    expect(h.emulator.state.retainedMessages).toBe(0);

    // the codes appear nowhere but on the device topics
    expect(h.observer.codes.size).toBe(minimum);
    await h.app.services.refreshGauges();
    const views = JSON.stringify([
      ...(await Promise.all(sample.map((e) => h.app.services.device(e.deviceId)))),
      ...(await Promise.all([...h.seen.values()].map((a) => h.app.services.batch(a.tags['fleet:batch']!)))),
      ...(await Promise.all(SITES.map((s) => h.app.services.site(s.id)))),
    ]);
    const metrics = await h.metrics.registry.metrics();
    expect(h.logs.text.length).toBeGreaterThan(0);
    expect(await h.redisDump()).toContain(':dev:');
    // the mid-run dump did see sealed codes and queued jobs: the search covers them
    expect(midRun).toMatch(/"code":"[A-Za-z0-9_-]{40,}"/);
    expect(midRun).toContain(':q:');
    // every code the emulator issued, in clear or encoded, in logs, output, metrics, Redis (now and mid-run), views
    const { codes, leaks } = await h.secretLeaks({ midRun, views });
    expect(codes).toBe(h.emulator.state.activations.created);
    expect(describeLeaks(leaks)).toEqual([]);
    expect(metrics).toMatch(/fleet_devices\{state="registered"\} 2500/);
  }, 240_000); // a shared 2-core machine under load can take minutes: the budget is generous, speed is for npm run bench
});
