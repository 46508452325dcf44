/**
 * Invariant 2 after a Redis restart that lost the last second of writes (AOF everysec on a machine crash):
 * the batch's record of an attempt is gone but the activation that attempt created is live in SSM. The first
 * recorded attempt must still look the batch's activations up by DefaultInstanceName and delete them.
 */
import { CreateActivationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { defaultInstanceNameFor } from '../../../src/domain/activation-request.js';
import { PipelineHarness } from './support/pipeline-harness.js';

describe('pipeline: an attempt whose record was lost', () => {
  let h: PipelineHarness;
  let activation: App | undefined;
  beforeAll(async () => {
    // every role but activation: the batch is cut and waits for its activation job
    h = await PipelineHarness.start({ sites: [{ id: 'l-a', maxBatchSize: 50 }], roles: ['intake', 'delivery', 'ack', 'reconcile'] });
  });
  afterAll(async () => {
    await activation?.stop();
    await h?.stop();
  });

  it('deletes the orphan before the first recorded CreateActivation of the batch', async () => {
    const events = h.events('l-a', 20);
    await h.enroll(events);
    let batchId: string | undefined;
    await h.waitFor(
      async () => (batchId = (await h.redis.zrange(h.keys.batchesIn('open'), '0', '-1'))[0]) !== undefined,
      10_000,
      () => 'no batch cut',
    );
    // what the lost attempt left in SSM: a live activation carrying the batch's name
    const ssm = new SSMClient({ region: h.config.awsRegion });
    const lost = await ssm.send(
      new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 20, DefaultInstanceName: defaultInstanceNameFor(batchId!) }),
    );
    ssm.destroy();
    expect((await h.app.services.batch(batchId!))!.attempts).toBe(0);

    activation = await createApp(h.config, { roles: ['activation'], logger: createLogger('warn', h.logs), metrics: h.metrics });
    await activation.start();
    await h.waitFor(() => h.allSettled(['l-a'], events.length), 30_000, () => h.describeCounts(['l-a']));

    const batch = (await h.app.services.batch(batchId!))!;
    expect(batch.attempts).toBe(1);
    expect(batch.activationId).not.toBe(lost.ActivationId);
    expect(h.emulator.state.activations.list.find((a) => a.activationId === lost.ActivationId)).toBeUndefined();
    expect(Math.max(...h.maxLivePerBatch.values())).toBe(1);
    expect((await h.metrics.orphansDeleted.get()).values[0]?.value).toBe(1);
  });
});
