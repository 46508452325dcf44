/**
 * Both ways of making the per-device calls (FLEET_PER_DEVICE_CALLS=signed | sdk) against the emulator over
 * real HTTP with its SigV4 check: the same retained message, the same clear, the same node tags, the same
 * errors as AwsCallError. The emulator runs its embedded broker: nothing reaches the shared Mosquitto.
 */
import { GetRetainedMessageCommand } from '@aws-sdk/client-iot-data-plane';
import { DescribeInstanceInformationCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../src/adapters/aws-clients.js';
import { SdkIotPublisher, type IotPublisher } from '../../../src/adapters/iot-publisher.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import type { RateLimiter } from '../../../src/adapters/rate-limiter.js';
import { SignedIotPublisher } from '../../../src/adapters/signed-iot-publisher.js';
import { SignedSsmJson } from '../../../src/adapters/signed-ssm-json.js';
import { SdkSsmActivations } from '../../../src/adapters/ssm-activations.js';
import { AwsCallError } from '../../../src/domain/errors.js';
import { createTestActivation, register, startEmulatorFixture, type EmulatorFixture } from '../emulator/aws-clients.js';

let fx: EmulatorFixture;
const clients: AwsClients[] = [];

const unlimited: RateLimiter = { take: async () => undefined, report: () => undefined };

function awsClients(): AwsClients {
  const aws = new AwsClients({ defaultRegion: 'us-east-1' });
  clients.push(aws);
  return aws;
}

function publisherOf(kind: 'signed' | 'sdk'): IotPublisher {
  const aws = awsClients();
  return kind === 'signed' ? new SignedIotPublisher(aws, new Metrics()) : new SdkIotPublisher(aws, new Metrics());
}

function ssmOf(kind: 'signed' | 'sdk'): SdkSsmActivations {
  const aws = awsClients();
  return new SdkSsmActivations(aws, unlimited, new Metrics(), kind === 'signed' ? new SignedSsmJson(aws) : undefined);
}

async function retained(topic: string): Promise<string | null> {
  try {
    const got = await fx.iotData().send(new GetRetainedMessageCommand({ topic }));
    return Buffer.from(got.payload ?? new Uint8Array()).toString('utf8');
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return null;
    throw err;
  }
}

beforeAll(async () => {
  fx = await startEmulatorFixture({});
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await fx.close();
});

describe.each(['signed', 'sdk'] as const)('the %s publisher', (kind) => {
  // a topic with characters that must be escaped in the path and signed as escaped
  const topic = `fleet/enroll/plant é-1/SN 1=2(${kind})/activation`;

  it('publishes a retained QoS 1 message and clears it again', async () => {
    const p = publisherOf(kind);
    await p.publishRetained(topic, '{"v":1,"code":"x"}', 3_600);
    expect(await retained(topic)).toBe('{"v":1,"code":"x"}');
    await p.clearRetained(topic);
    expect(await retained(topic)).toBeNull();
  });

  it('tries a throttled Publish three times, then fails as a throttled AwsCallError', async () => {
    const p = publisherOf(kind);
    fx.emulator.setFaults({ 'iotdata.Publish': { throttle: 1 } });
    const before = fx.emulator.state.operations['iotdata.Publish']?.throttled ?? 0;
    try {
      const err = await p.publishRetained(topic, '{}', 60).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AwsCallError);
      expect(err).toMatchObject({ operation: 'Publish', throttled: true, permanent: false });
      expect((fx.emulator.state.operations['iotdata.Publish']?.throttled ?? 0) - before).toBe(3);
    } finally {
      fx.emulator.setFaults({});
    }
  });

  it('fails a payload over 128 KB at once, as a permanent AwsCallError named as AWS names it', async () => {
    const p = publisherOf(kind);
    const err = await p.publishRetained(topic, 'x'.repeat(129 * 1024), 60).catch((e: unknown) => e);
    expect(err).toMatchObject({ awsName: 'RequestEntityTooLargeException', permanent: true, status: 413 });
  });

  it('tags a managed node, and names a node SSM does not know as AWS does', async () => {
    const activation = await createTestActivation(fx, 1, `fleet-tag-${kind}`, { expiresAt: new Date(Date.now() + 3_600_000) });
    expect((await register(fx.emulator.url, { activationId: activation.id, activationCode: activation.code })).status).toBe(200);
    const nodes = await fx.ssm().send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'ActivationIds', Values: [activation.id] }] }));
    const node = nodes.InstanceInformationList![0]!.InstanceId!;
    const ssm = ssmOf(kind);
    await ssm.tagNode('us-east-1', node, { 'fleet:device': `SN-${kind}`, 'fleet:thing': 'edge é 1' });
    const tags = await fx.ssm().send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: node }));
    expect(tags.TagList).toEqual(expect.arrayContaining([{ Key: 'fleet:device', Value: `SN-${kind}` }, { Key: 'fleet:thing', Value: 'edge é 1' }]));
    const err = await ssm.tagNode('us-east-1', 'mi-00000000000000000', { a: 'b' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ operation: 'AddTagsToResource', awsName: 'InvalidResourceId', permanent: true });
  });

  it("lists an activation's managed nodes over pages of 50, as SSM shows them", async () => {
    const activation = await createTestActivation(fx, 120, `fleet-nodes-${kind}`, { expiresAt: new Date(Date.now() + 3_600_000) });
    const registered = new Set<string>();
    for (let i = 0; i < 120; i++) {
      const r = await register(fx.emulator.url, { activationId: activation.id, activationCode: activation.code });
      expect(r.status).toBe(200);
      registered.add(r.json.managedNodeId!);
    }
    const listed = await ssmOf(kind).nodesOf('us-east-1', activation.id);
    expect(listed).toHaveLength(120);
    expect(new Set(listed.map((n) => n.managedNodeId))).toEqual(registered);
    // an activation without nodes: an empty list, not an error
    expect(await ssmOf(kind).nodesOf('us-east-1', '00000000-0000-0000-0000-000000000000')).toEqual([]);
  });

  it('is refused with credentials the emulator does not accept (its signature is checked)', async () => {
    const saved = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'not-the-secret';
    try {
      const p = publisherOf(kind);
      const failuresBefore = fx.emulator.state.authFailures;
      const err = await p.publishRetained(topic, '{}', 60).catch((e: unknown) => e);
      expect(err).toMatchObject({ permanent: true });
      expect(fx.emulator.state.authFailures).toBeGreaterThan(failuresBefore);
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = saved;
    }
  });
});
