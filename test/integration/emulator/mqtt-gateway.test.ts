/**
 * The emulator's AWS IoT MQTT-over-WebSocket door (`/mqtt`): SigV4 presigned upgrade, MQTT 5 over a
 * byte stream of frames, PUBLISH through the same path as the HTTP Publish (stats, faults, checks),
 * AWS IoT's per-connection limits. Real sockets; the presigned URL comes from the SDK's signer.
 */
import { GetRetainedMessageCommand } from '@aws-sdk/client-iot-data-plane';
import { connectAsync } from 'mqtt';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulatorFixture, type EmulatorFixture } from './aws-clients.js';
import { startEmulator } from '../../../src/emulator/index.js';
import { MqttProbe } from './mqtt-probe.js';
import { encode, presignedMqttUrl, publish, RawMqttClient, type PresignOptions, type Refusal } from './ws-mqtt-client.js';
import { topicRoot } from '../../support/test-run.js';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const root = topicRoot('mqtt-gw');
let clock = Date.now();
let fx: EmulatorFixture;
const clients: RawMqttClient[] = [];
let ids = 0;
const clientId = () => `gw-test-${process.pid}-${++ids}`;

const signing = (over: Partial<PresignOptions> = {}): PresignOptions => ({
  accessKeyId: fx.emulator.env.AWS_ACCESS_KEY_ID!,
  secretAccessKey: fx.emulator.env.AWS_SECRET_ACCESS_KEY!,
  region: fx.emulator.env.AWS_REGION!,
  at: clock,
  appendToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes==',
  ...over,
});
const url = (over: Partial<PresignOptions> = {}) => presignedMqttUrl(fx.emulator.url, signing(over));
const connect = async (over: Partial<PresignOptions> = {}) => {
  const { client, connack } = await RawMqttClient.connect(await url(over), clientId());
  clients.push(client);
  return { client, connack };
};
const refusal = async (target: string): Promise<Refusal> => {
  const opened = await RawMqttClient.open(target);
  if (opened instanceof RawMqttClient) {
    opened.close();
    throw new Error('expected the upgrade to be refused');
  }
  return opened;
};
const publishCounts = () => fx.emulator.state.operations['iotdata.Publish'] ?? { calls: 0, throttled: 0, failed: 0, dropped: 0, rejected: 0 };

beforeAll(async () => {
  fx = await startEmulatorFixture({ seed: 7, now: () => clock });
});
beforeEach(() => {
  fx.emulator.setFaults({});
});
afterAll(async () => {
  for (const c of clients) c.close();
  await fx.close();
});

describe('/mqtt upgrade: SigV4 presigned URL', () => {
  it('connects with the token appended after signing: CONNACK 0 with Receive Maximum 100, Maximum QoS 1', async () => {
    const { connack } = await connect();
    expect(connack).toMatchObject({ cmd: 'connack', reasonCode: 0, properties: { receiveMaximum: 100, maximumQoS: 1 } });
  });

  it('refuses a bad signature, an expired URL, the wrong service and a token signed into the query with 403, counted', async () => {
    const before = fx.emulator.state.authFailures;
    const bad = await refusal(await url({ secretAccessKey: 'not-the-secret' }));
    expect(bad.status).toBe(403);
    expect(JSON.parse(bad.body)).toMatchObject({ __type: 'InvalidSignatureException' });
    expect(bad.body).not.toMatch(/X-Amz-Signature|not-the-secret|IQoJb3/);

    const expired = await refusal(await url({ at: clock - 86_401_000 }));
    expect(expired.status).toBe(403);
    expect(expired.body).toMatch(/expired/i);
    const shortLived = await url({ expiresIn: 60 });
    clock += 61_000;
    expect((await refusal(shortLived)).status).toBe(403);

    const wrongService = await refusal(await url({ service: 'iotdata' }));
    expect(wrongService.status).toBe(403);
    expect(wrongService.body).toMatch(/iotdevicegateway/);

    // AWS IoT's quirk: the token is not part of the canonical query, so a URL that signed it in does not verify
    expect((await refusal(await url({ appendToken: undefined, signedToken: 'session-token' }))).status).toBe(403);
    expect((await refusal(await url({ accessKeyId: 'AKIDNOBODY' }))).status).toBe(403);
    expect((await refusal(`ws://127.0.0.1:${fx.emulator.port}/mqtt`)).status).toBe(403);
    expect(fx.emulator.state.authFailures).toBe(before + 7);
  });

  it('answers an upgrade anywhere else with a plain HTTP error', async () => {
    const elsewhere = await refusal(await url({ path: '/other' }));
    expect(elsewhere.status).toBe(404);
    const noSubprotocol = await RawMqttClient.open(await url(), ['other']);
    expect(noSubprotocol).toMatchObject({ status: 400 });
  });
});

describe('/mqtt PUBLISH through the Publish path', () => {
  it('a QoS 1 retained publish with expiry is stored (GetRetainedMessage sees it) and counted as iotdata.Publish', async () => {
    const before = publishCounts().calls;
    const { client } = await connect();
    const topic = `${root}/stored/activation`;
    client.send(publish(1, topic, '{"v":1}', 3600));
    expect(await client.pubacks(1)).toEqual([{ messageId: 1, reasonCode: 0 }]);
    const got = await fx.iotData().send(new GetRetainedMessageCommand({ topic }));
    expect(Buffer.from(got.payload!).toString()).toBe('{"v":1}');
    client.send(publish(2, topic, ''));
    expect(await client.pubacks(1)).toEqual([{ messageId: 2, reasonCode: 0 }]);
    await expect(fx.iotData().send(new GetRetainedMessageCommand({ topic }))).rejects.toThrow();
    expect(publishCounts().calls).toBe(before + 2);
  });

  it('parses a byte stream: one publish split across two frames, three publishes in one frame (acked in order)', async () => {
    const { client } = await connect();
    const whole = encode(publish(10, `${root}/split/a`, 'x'.repeat(300), 60));
    client.sendRaw(whole.subarray(0, 7));
    client.sendRaw(whole.subarray(7));
    expect(await client.pubacks(1)).toEqual([{ messageId: 10, reasonCode: 0 }]);
    client.send(publish(11, `${root}/three/a`, 'a'), publish(12, `${root}/three/b`, 'b'), publish(13, `${root}/three/c`, 'c'));
    expect((await client.pubacks(3)).map((a) => a.messageId)).toEqual([11, 12, 13]);
    for (const t of ['split/a', 'three/a', 'three/b', 'three/c']) client.send(publish(20, `${root}/${t}`, ''));
    await client.pubacks(4);
  });

  it('maps faults and refusals to PUBACK reason codes (throttle 0x97, error 0x80, topic 0x90); too large → DISCONNECT 0x95', async () => {
    const { client } = await connect();
    const before = publishCounts();
    fx.emulator.setFaults({ 'iotdata.Publish': { throttle: 1 } });
    client.send(publish(1, `${root}/f/t`, 'x'));
    expect(await client.pubacks(1)).toEqual([{ messageId: 1, reasonCode: 0x97 }]);
    fx.emulator.setFaults({ 'iotdata.Publish': { error: 1 } });
    client.send(publish(2, `${root}/f/e`, 'x'));
    expect(await client.pubacks(1)).toEqual([{ messageId: 2, reasonCode: 0x80 }]);
    fx.emulator.setFaults({});
    client.send(publish(3, `${root}/a/b/c/d/e/f/g/h`, 'x'), publish(4, `${root}/big`, 'x'.repeat(128 * 1024 + 1)));
    expect(await client.pubacks(1)).toEqual([{ messageId: 3, reasonCode: 0x90 }]);
    // MQTT 5 has no PUBACK 0x95: the too-large publish ends the connection, after the acks before it
    expect(await client.next('disconnect')).toMatchObject({ reasonCode: 0x95 });
    await client.closed;
    expect(client.parseErrors).toEqual([]);
    const after = publishCounts();
    expect(after.calls - before.calls).toBe(4);
    expect([after.throttled - before.throttled, after.failed - before.failed, after.rejected - before.rejected]).toEqual([1, 1, 2]);
  });

  it('latency keeps PUBACK order; dropAnswer does the work and drops the connection without the PUBACK', async () => {
    const { client } = await connect();
    fx.emulator.setFaults({ 'iotdata.Publish': { dropAnswer: 1 } });
    const topic = `${root}/dropped/activation`;
    client.send(publish(5, topic, 'kept'));
    await client.closed;
    expect(client.packets.some((p) => p.cmd === 'puback')).toBe(false);
    expect(publishCounts().dropped).toBeGreaterThanOrEqual(1);
    fx.emulator.setFaults({});
    const got = await fx.iotData().send(new GetRetainedMessageCommand({ topic }));
    expect(Buffer.from(got.payload!).toString()).toBe('kept');
    const { client: again } = await connect();
    again.send(publish(6, topic, ''));
    await again.pubacks(1);
  });

  it('enforces 100 publishes/s per connection (0x97, counted as throttled); the bucket refills with the clock', async () => {
    const { client } = await connect();
    const before = publishCounts().throttled;
    const burst = Array.from({ length: 100 }, (_, i) => publish(i + 1, `${root}/rate/x`, 'r', undefined, { retain: false }));
    client.send(...burst);
    expect((await client.pubacks(100)).every((a) => a.reasonCode === 0)).toBe(true);
    client.send(publish(101, `${root}/rate/x`, 'r', undefined, { retain: false }));
    expect(await client.pubacks(1)).toEqual([{ messageId: 101, reasonCode: 0x97 }]);
    expect(publishCounts().throttled).toBe(before + 1);
    clock += 1000;
    client.send(publish(102, `${root}/rate/x`, 'r', undefined, { retain: false }));
    expect(await client.pubacks(1)).toEqual([{ messageId: 102, reasonCode: 0 }]);
    // one turn's acks go out batched: far fewer frames than acks
    expect(client.framePacketCounts.length).toBeLessThan(20);
  });

  it('more than Receive Maximum unacked: DISCONNECT 0x93', async () => {
    const { client } = await connect();
    fx.emulator.setFaults({ 'iotdata.Publish': { latencyMs: 200 } });
    client.send(...Array.from({ length: 101 }, (_, i) => publish(i + 1, `${root}/inflight/x`, 'r', undefined, { retain: false })));
    const disconnect = await client.next('disconnect');
    expect(disconnect).toMatchObject({ reasonCode: 0x93 });
    await client.closed;
  });
});

describe('/mqtt session rules', () => {
  it('PINGREQ → PINGRESP; SUBSCRIBE → SUBACK 0x87 per filter; UNSUBSCRIBE → UNSUBACK 0x11; the connection stays up', async () => {
    const { client } = await connect();
    client.send({ cmd: 'pingreq' });
    await client.next('pingresp');
    client.send({ cmd: 'subscribe', messageId: 7, subscriptions: [{ topic: `${root}/#`, qos: 1 }, { topic: `${root}/x`, qos: 0 }] });
    expect(await client.next('suback')).toMatchObject({ messageId: 7, granted: [0x87, 0x87] });
    client.send({ cmd: 'unsubscribe', messageId: 8, unsubscriptions: [`${root}/#`] } as never);
    expect(await client.next('unsuback')).toMatchObject({ messageId: 8 });
    client.send(publish(9, `${root}/after-sub`, 'x', undefined, { retain: false }));
    expect(await client.pubacks(1)).toEqual([{ messageId: 9, reasonCode: 0 }]);
  });

  it('a second connection with the same client id ends the older one (DISCONNECT 0x8E)', async () => {
    const id = clientId();
    const { client: older } = await RawMqttClient.connect(await url(), id);
    const { client: newer } = await RawMqttClient.connect(await url(), id);
    clients.push(older, newer);
    expect(await older.next('disconnect')).toMatchObject({ reasonCode: 0x8e });
    await older.closed;
    newer.send({ cmd: 'pingreq' });
    await newer.next('pingresp');
  });

  it('an MQTT 3.1.1 CONNECT is refused (return code 1) and QoS 2 ends the connection (0x9B)', async () => {
    const opened = (await RawMqttClient.open(await url())) as RawMqttClient;
    clients.push(opened);
    opened.sendRaw(Buffer.from(encodeV4Connect()));
    await opened.closed;
    const { client } = await connect();
    client.send(publish(1, `${root}/qos2`, 'x', undefined, { qos: 2 }));
    expect(await client.next('disconnect')).toMatchObject({ reasonCode: 0x9b });
  });
});

describe('/mqtt onto Mosquitto (MQTT 5), with the mqtt npm client', () => {
  let mosq: EmulatorFixture;
  beforeAll(async () => {
    mosq = await startEmulatorFixture({ mqttUrl: MOSQUITTO });
  });
  afterAll(async () => {
    await mosq.close();
  });

  it('a retained publish with expiry arrives on the broker with its expiry; a zero-byte one clears it', async () => {
    const topic = `${root}/mosq/activation`;
    const target = await presignedMqttUrl(mosq.emulator.url, { ...signing(), at: Date.now() });
    const client = await connectAsync(target, { protocolVersion: 5, clientId: clientId(), clean: true, keepalive: 60, reconnectPeriod: 0 });
    const probe = await MqttProbe.connect(MOSQUITTO, 5);
    try {
      await probe.subscribeAndSettle(`${root}/mosq/#`, `${root}/marker-1`);
      const arriving = probe.next(topic);
      await client.publishAsync(topic, '{"v":2}', { qos: 1, retain: true, properties: { messageExpiryInterval: 3600 } });
      const message = await arriving;
      expect(message).toMatchObject({ payload: '{"v":2}' });
      expect(message.expiry).toBeGreaterThan(3500);
      const late = await MqttProbe.connect(MOSQUITTO, 5);
      expect(await late.subscribeAndSettle(`${root}/mosq/#`, `${root}/marker-2`)).toEqual([expect.objectContaining({ topic, retain: true })]);
      await late.close();
      await client.publishAsync(topic, '', { qos: 1, retain: true });
      const after = await MqttProbe.connect(MOSQUITTO, 5);
      expect(await after.subscribeAndSettle(`${root}/mosq/#`, `${root}/marker-3`)).toEqual([]);
      await after.close();
      expect(mosq.emulator.state.operations['iotdata.Publish']?.calls).toBe(2);
    } finally {
      await client.endAsync();
      await probe.close();
    }
  });
});

describe('/mqtt in TLS mode', () => {
  it('wss:// with the printed certificate: connect, publish, PUBACK 0', async () => {
    const tls = await startEmulator({ tls: true, now: () => clock });
    try {
      const target = await presignedMqttUrl(tls.url, { ...signing(), at: clock });
      expect(target.startsWith('wss://')).toBe(true);
      const { client, connack } = await RawMqttClient.connect(target, clientId(), readFileSync(tls.certFile!, 'utf8'));
      clients.push(client);
      expect(connack).toMatchObject({ reasonCode: 0 });
      client.send(publish(1, `${root}/tls/x`, 'x', 60, { retain: false }));
      expect(await client.pubacks(1)).toEqual([{ messageId: 1, reasonCode: 0 }]);
    } finally {
      await tls.close();
    }
  });
});

/** MQTT 3.1.1 CONNECT, client id "v4" */
function encodeV4Connect(): number[] {
  const body = [0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 60, 0, 2, 0x76, 0x34];
  return [0x10, body.length, ...body];
}
