/**
 * Both credentials publishers (FLEET_IOT_PUBLISHER=signed | sdk) against the emulator over real HTTP with
 * its SigV4 check: the same retained message, the same clear, the same errors as AwsCallError. The emulator
 * runs its embedded broker: nothing reaches the shared Mosquitto.
 */
import { GetRetainedMessageCommand } from '@aws-sdk/client-iot-data-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../src/adapters/aws-clients.js';
import { SdkIotPublisher, type IotPublisher } from '../../../src/adapters/iot-publisher.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { SignedIotPublisher } from '../../../src/adapters/signed-iot-publisher.js';
import { AwsCallError } from '../../../src/domain/errors.js';
import { startEmulatorFixture, type EmulatorFixture } from '../emulator/aws-clients.js';

let fx: EmulatorFixture;
const clients: AwsClients[] = [];

function publisherOf(kind: 'signed' | 'sdk'): IotPublisher {
  const aws = new AwsClients({ defaultRegion: 'us-east-1' });
  clients.push(aws);
  return kind === 'signed' ? new SignedIotPublisher(aws, new Metrics()) : new SdkIotPublisher(aws, new Metrics());
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
