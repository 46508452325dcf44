/**
 * MqttIotPublisher over real sockets against an in-test MQTT 5 over WebSocket server (test/support/
 * mqtt-ws-server.ts: `ws` + `mqtt-packet`, the SigV4 query checked with `@smithy/signature-v4`), the endpoint
 * and credentials found the SDK's way (AWS_ENDPOINT_URL_IOT_DATA_PLANE, AWS_* keys): retained credentials with
 * expiry, the clear, one frame per turn, Receive Maximum, the per-connection rate, more connections only when
 * needed, throttling retried, permanent errors not, a connection killed mid-flight retried, a refused
 * signature named without a secret. Until the emulator's `/mqtt` lands; nothing reaches Redis or Mosquitto.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../src/adapters/aws-clients.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { MqttIotPublisher, type MqttIotPublisherOptions } from '../../../src/adapters/mqtt-iot-publisher.js';
import { AwsCallError } from '../../../src/domain/errors.js';
import { MqttWsTestServer } from '../../support/mqtt-ws-server.js';

const CREDENTIALS = {
  accessKeyId: 'ASIAMQTTTESTKEY00001',
  secretAccessKey: 'mqtt-test-secret-key/with+slashes=0123456789',
  sessionToken: 'FwoGZXIvYXdzEMQTT//////////session+token/with=slashes',
};
let server: MqttWsTestServer;
const opened: { clients: AwsClients; publisher: MqttIotPublisher }[] = [];

function publisherOf(options: MqttIotPublisherOptions = {}): { publisher: MqttIotPublisher; metrics: Metrics } {
  const clients = new AwsClients({ defaultRegion: 'us-east-1' });
  const metrics = new Metrics();
  const publisher = new MqttIotPublisher(clients, metrics, undefined, options);
  opened.push({ clients, publisher });
  return { publisher, metrics };
}

async function calls(metrics: Metrics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await metrics.awsCalls.get()).values) out[`${v.labels.operation}:${v.labels.outcome}`] = v.value;
  return out;
}

beforeAll(async () => {
  server = await MqttWsTestServer.start(CREDENTIALS);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_IOT_DATA_PLANE: server.endpoint,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
    AWS_REGION: 'us-east-1',
  });
});
afterEach(() => {
  for (const { clients, publisher } of opened.splice(0)) {
    publisher.close();
    clients.destroy();
  }
  server.decide = () => 0;
  server.receiveMaximum = 100;
  server.credentials = CREDENTIALS;
});
afterAll(async () => {
  await server.close();
});

const topic = (name: string) => `fleet/enroll/mqtt-test/${name}/activation`;

describe('MqttIotPublisher', () => {
  it('publishes credentials retained, QoS 1, with message expiry, and clears them with a zero-byte retained publish', async () => {
    const { publisher, metrics } = publisherOf();
    await publisher.publishRetained(topic('SN-1'), '{"v":1,"code":"x"}', 3_600.2);
    const sent = server.publishes.find((p) => p.topic === topic('SN-1'))!;
    expect(sent).toMatchObject({ qos: 1, retain: true, messageExpiryInterval: 3_601 });
    expect(server.retained.get(topic('SN-1'))?.toString()).toBe('{"v":1,"code":"x"}');
    await publisher.clearRetained(topic('SN-1'));
    expect(server.retained.has(topic('SN-1'))).toBe(false);
    expect(server.publishes.at(-1)).toMatchObject({ topic: topic('SN-1'), payload: Buffer.alloc(0), retain: true, qos: 1, messageExpiryInterval: undefined });
    expect(await calls(metrics)).toEqual({ 'Publish:ok': 2 });
  });

  it('sends one turn of publishes as one WebSocket frame on one connection', async () => {
    const { publisher } = publisherOf();
    await publisher.publishRetained(topic('warm'), 'x', 60);
    const c = server.connections.at(-1)!;
    const before = c.frames;
    await Promise.all(Array.from({ length: 50 }, (_, i) => publisher.publishRetained(topic(`turn-${i}`), 'payload', 60)));
    expect(c.frames - before).toBe(1);
    expect(server.connections.at(-1)).toBe(c);
  });

  it('keeps at most Receive Maximum unacked on a connection and waits, without dropping, for room', async () => {
    server.receiveMaximum = 5;
    server.decide = () => 'hold';
    const { publisher } = publisherOf({ maxConnections: 1 });
    const done = Promise.all(Array.from({ length: 12 }, (_, i) => publisher.publishRetained(topic(`rm-${i}`), 'x', 60)));
    const c = () => server.connections.at(-1)!;
    while (server.publishes.filter((p) => p.topic.includes('/rm-')).length < 12) {
      await new Promise((r) => setTimeout(r, 20));
      expect(c().unacked).toBeLessThanOrEqual(5);
      server.release();
    }
    server.release();
    await done;
    expect(c().maxUnacked).toBe(5);
  });

  it('keeps to its publishes per second on a connection, and opens another when all are full, up to the cap', async () => {
    const { publisher } = publisherOf({ maxConnections: 1, publishesPerSecondPerConnection: 40 });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 60 }, (_, i) => publisher.publishRetained(topic(`rate-${i}`), 'x', 60)));
    // 40 at once from the full bucket, the other 20 at 40/s
    expect(performance.now() - t0).toBeGreaterThan(450);

    const firstNew = server.connections.length;
    const wide = publisherOf({ maxConnections: 3 }).publisher;
    await Promise.all(Array.from({ length: 250 }, (_, i) => wide.publishRetained(topic(`wide-${i}`), 'x', 60)));
    const used = server.connections.slice(firstNew);
    expect(used).toHaveLength(3);
    const perConnection = used.map((c) => server.publishes.filter((p) => p.connection === c.id).length);
    expect(perConnection.every((n) => n <= 100)).toBe(true);
    expect(perConnection.reduce((a, b) => a + b)).toBe(250);
    expect(new Set(used.map((c) => c.clientId)).size).toBe(3);
  });

  it('retries a throttled publish (PUBACK 0x97) and a transient one (0x80), counted as throttled and error', async () => {
    const answers = [0x97, 0x80, 0];
    server.decide = (p) => (p.topic === topic('throttled') ? answers.shift()! : 0);
    const { publisher, metrics } = publisherOf();
    await publisher.publishRetained(topic('throttled'), 'x', 60);
    expect(server.publishes.filter((p) => p.topic === topic('throttled'))).toHaveLength(3);
    expect(await calls(metrics)).toEqual({ 'Publish:throttled': 1, 'Publish:error': 1, 'Publish:ok': 1 });
  });

  it('gives up on throttling after three attempts with a throttled AwsCallError', async () => {
    server.decide = () => 0x97;
    const { publisher } = publisherOf();
    const err = await publisher.publishRetained(topic('always-throttled'), 'x', 60).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ code: 'AWS_THROTTLED', operation: 'Publish', awsName: 'ThrottlingException' });
    expect(server.publishes.filter((p) => p.topic === topic('always-throttled'))).toHaveLength(3);
  });

  it.each([
    [0x87, 'UnauthorizedException'],
    [0x90, 'InvalidRequestException'],
    [0x95, 'InvalidRequestException'],
  ])('does not retry PUBACK reason %i: a permanent %s', async (reason, name) => {
    const t = topic(`permanent-${reason}`);
    server.decide = () => reason;
    const { publisher } = publisherOf();
    const err = await publisher.publishRetained(t, 'x', 60).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AWS_PERMANENT', awsName: name });
    expect(server.publishes.filter((p) => p.topic === t)).toHaveLength(1);
  });

  it('retries on a new connection the publishes of a connection killed mid-flight', async () => {
    let drops = 1;
    server.decide = (p) => (p.topic === topic('killed') && drops-- > 0 ? 'drop' : 0);
    const { publisher, metrics } = publisherOf();
    await publisher.publishRetained(topic('warm-killed'), 'x', 60);
    const connectionsBefore = server.connections.length;
    await Promise.all([publisher.publishRetained(topic('killed'), 'x', 60), publisher.publishRetained(topic('killed-sibling'), 'y', 60)]);
    expect(server.retained.get(topic('killed'))?.toString()).toBe('x');
    expect(server.connections.length).toBe(connectionsBefore + 1);
    expect((await calls(metrics))['Publish:error']).toBeGreaterThanOrEqual(1);
  });

  it('names a refused signature (HTTP 403) as a permanent error without a URL, signature, key or token in it', async () => {
    server.credentials = { ...CREDENTIALS, secretAccessKey: 'another-secret' };
    const failuresBefore = server.authFailures;
    const { publisher } = publisherOf();
    const err = (await publisher.publishRetained(topic('refused'), 'x', 60).catch((e: unknown) => e)) as AwsCallError;
    expect(err).toMatchObject({ code: 'AWS_PERMANENT', awsName: 'AccessDeniedException', status: 403 });
    expect(err.message).toMatch(/refused the MQTT WebSocket connection with HTTP 403/);
    expect(server.authFailures - failuresBefore).toBe(1);
    const everything = `${err.message} ${err.stack} ${JSON.stringify(err)} ${String((err as { cause?: unknown }).cause)} ${JSON.stringify((err as { cause?: unknown }).cause)}`;
    for (const secret of [CREDENTIALS.secretAccessKey, CREDENTIALS.sessionToken, 'X-Amz-Signature', 'X-Amz-Security-Token', server.endpoint.replace('http://', '')]) {
      expect(everything).not.toContain(secret);
    }
  });
});
