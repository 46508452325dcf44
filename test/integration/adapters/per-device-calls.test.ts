/**
 * Every way of making the per-device calls against the emulator with its SigV4 check: the publishes over MQTT 5
 * on WebSocket (FLEET_PUBLISH_TRANSPORT=mqtt) and over HTTPS (signed by us or by the SDK,
 * FLEET_PER_DEVICE_CALLS=signed | sdk); the SSM calls signed or SDK. The same retained message, the same
 * clear, the same node tags, the same errors as AwsCallError. The emulator runs its embedded broker: nothing
 * reaches the shared Mosquitto.
 */
import { GetRetainedMessageCommand } from '@aws-sdk/client-iot-data-plane';
import { DescribeInstanceInformationCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../src/adapters/aws-clients.js';
import { SdkIotPublisher, type IotPublisher } from '../../../src/adapters/iot-publisher.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { MqttIotPublisher } from '../../../src/adapters/mqtt-iot-publisher.js';
import type { RateLimiter } from '../../../src/adapters/rate-limiter.js';
import { SignedIotPublisher } from '../../../src/adapters/signed-iot-publisher.js';
import { SignedSsmJson } from '../../../src/adapters/signed-ssm-json.js';
import { SdkSsmActivations } from '../../../src/adapters/ssm-activations.js';
import { AwsCallError } from '../../../src/domain/errors.js';
import { createTestActivation, register, startEmulatorFixture, type EmulatorFixture } from '../emulator/aws-clients.js';

let fx: EmulatorFixture;
const clients: AwsClients[] = [];
const publishers: IotPublisher[] = [];

const unlimited: RateLimiter = { take: async () => undefined, report: () => undefined };

function awsClients(): AwsClients {
  const aws = new AwsClients({ defaultRegion: 'us-east-1' });
  clients.push(aws);
  return aws;
}

type PublishKind = 'mqtt' | 'signed' | 'sdk';

function publisherOf(kind: PublishKind, metrics = new Metrics()): IotPublisher {
  const aws = awsClients();
  const p = kind === 'mqtt' ? new MqttIotPublisher(aws, metrics) : kind === 'signed' ? new SignedIotPublisher(aws, metrics) : new SdkIotPublisher(aws, metrics);
  publishers.push(p);
  return p;
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
  for (const p of publishers) p.close();
  for (const c of clients) c.destroy();
  await fx.close();
});

describe.each(['mqtt', 'signed', 'sdk'] as const)('the %s publisher', (kind) => {
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
    // HTTPS: AWS's 413; MQTT 5: refused before sending (the server would end the connection, DISCONNECT 0x95)
    expect(err).toMatchObject(kind === 'mqtt' ? { awsName: 'InvalidRequestException', permanent: true, status: 400 } : { awsName: 'RequestEntityTooLargeException', permanent: true, status: 413 });
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
      expect(JSON.stringify(err) + String(err) + ((err as Error).stack ?? '')).not.toContain('not-the-secret');
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = saved;
    }
  });
});

describe('the mqtt publisher and the emulator', () => {
  it("keeps under AWS IoT's 100 publishes/s per connection: 300 at once all pass, none throttled by the emulator's own count", async () => {
    const metrics = new Metrics();
    const p = publisherOf('mqtt', metrics);
    const before = fx.emulator.state.operations['iotdata.Publish'] ?? { calls: 0, throttled: 0 };
    const topics = Array.from({ length: 300 }, (_, i) => `fleet/enroll/rate-site/SN-${i}/activation`);
    await Promise.all(topics.map((t) => p.publishRetained(t, `{"n":"${t}"}`, 600)));
    const after = fx.emulator.state.operations['iotdata.Publish']!;
    expect(after.calls - before.calls).toBe(300);
    expect(after.throttled - before.throttled).toBe(0);
    expect(await retained(topics[299]!)).toBe(`{"n":"${topics[299]}"}`);
    await Promise.all(topics.map((t) => p.clearRetained(t)));
    expect(await retained(topics[0]!)).toBeNull();
    expect(await metrics.registry.getSingleMetricAsString('fleet_aws_calls_total')).toContain('operation="Publish",outcome="ok"} 600');
  });
});

describe.each(['signed', 'sdk'] as const)('the %s SSM calls', (kind) => {
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

});
