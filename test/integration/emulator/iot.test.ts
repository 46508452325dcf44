import { CreateThingCommand, DescribeEndpointCommand, DescribeThingCommand } from '@aws-sdk/client-iot';
import { GetRetainedMessageCommand, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startEmulatorFixture, type EmulatorFixture } from './aws-clients.js';
import { MqttProbe } from './mqtt-probe.js';
import { topicRoot } from '../../support/test-run.js';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const root = topicRoot('emulator');
let clock = Date.now();
let fx: EmulatorFixture;
const probes: MqttProbe[] = [];
const probe = async (url: string, version: 4 | 5 = 5) => {
  const p = await MqttProbe.connect(url, version);
  probes.push(p);
  return p;
};

beforeAll(async () => {
  fx = await startEmulatorFixture({ mqttUrl: MOSQUITTO, now: () => clock });
});
afterAll(async () => {
  // leave no retained message behind on the shared broker
  const data = fx.iotData();
  for (const topic of [`${root}/a/activation`, `${root}/b/activation`]) {
    await data.send(new PublishCommand({ topic, qos: 1, retain: true, payload: new Uint8Array() }));
  }
  await Promise.all(probes.map((p) => p.close()));
  await fx.close();
});

describe('IoT data plane Publish onto Mosquitto (MQTT 5)', () => {
  it('delivers what Publish sent, retained, with its message expiry, and GetRetainedMessage returns it', async () => {
    const live = await probe(MOSQUITTO);
    await live.subscribeAndSettle(`${root}/#`, `${root}/marker-1`);
    const arriving = live.next(`${root}/a/activation`);
    await fx.iotData().send(new PublishCommand({ topic: `${root}/a/activation`, qos: 1, retain: true, messageExpiry: 3600, payload: Buffer.from('{"v":1}') }));
    const message = await arriving;
    expect(message.payload).toBe('{"v":1}');
    expect(message.expiry).toBeGreaterThan(3500);

    const late = await probe(MOSQUITTO);
    const retained = await late.subscribeAndSettle(`${root}/a/#`, `${root}/marker-2`);
    expect(retained).toEqual([expect.objectContaining({ topic: `${root}/a/activation`, payload: '{"v":1}', retain: true })]);

    const got = await fx.iotData().send(new GetRetainedMessageCommand({ topic: `${root}/a/activation` }));
    expect(Buffer.from(got.payload!).toString()).toBe('{"v":1}');
    expect(got.qos).toBe(1);
  });

  it('a zero-byte retained publish clears the retained message', async () => {
    const data = fx.iotData();
    await data.send(new PublishCommand({ topic: `${root}/a/activation`, qos: 1, retain: true, payload: new Uint8Array() }));
    const late = await probe(MOSQUITTO);
    expect(await late.subscribeAndSettle(`${root}/a/#`, `${root}/marker-3`)).toEqual([]);
    const gone = await rejection(data.send(new GetRetainedMessageCommand({ topic: `${root}/a/activation` })));
    expect(gone.name).toBe('ResourceNotFoundException');
    expect(gone.$metadata?.httpStatusCode).toBe(404);
  });

  it('the broker drops a retained message once its expiry has passed', async () => {
    await fx.iotData().send(new PublishCommand({ topic: `${root}/b/activation`, qos: 1, retain: true, messageExpiry: 1, payload: Buffer.from('short-lived') }));
    const early = await probe(MOSQUITTO);
    expect((await early.subscribeAndSettle(`${root}/b/#`, `${root}/marker-4`)).map((m) => m.payload)).toEqual(['short-lived']);
    // Mosquitto counts the expiry in whole seconds: wait past it, then a new subscriber gets nothing
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const late = await probe(MOSQUITTO);
    expect(await late.subscribeAndSettle(`${root}/b/#`, `${root}/marker-5`)).toEqual([]);
    clock += 2000;
    expect((await rejection(fx.iotData().send(new GetRetainedMessageCommand({ topic: `${root}/b/activation` })))).name).toBe('ResourceNotFoundException');
  });

  it('refuses QoS 2, wildcards and payloads over 128 KB like AWS IoT', async () => {
    const data = fx.iotData();
    const qos = await rejection(data.send(new PublishCommand({ topic: `${root}/x`, qos: 2, payload: Buffer.from('x') })));
    expect(qos.name).toBe('InvalidRequestException');
    expect(qos.message).toMatch(/qos/);
    expect((await rejection(data.send(new PublishCommand({ topic: `${root}/+`, payload: Buffer.from('x') })))).message).toMatch(/wildcard/);
    const big = await rejection(data.send(new PublishCommand({ topic: `${root}/x`, payload: Buffer.alloc(128 * 1024 + 1) })));
    expect(big.$metadata?.httpStatusCode).toBe(413);
  });
});

describe('IoT control plane', () => {
  it('DescribeEndpoint points at the emulator; CreateThing is idempotent; DescribeThing finds it', async () => {
    const iot = fx.iot();
    const endpoint = await iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
    expect(`http://${endpoint.endpointAddress}`).toBe(fx.emulator.url);
    const name = `edge-${root.replaceAll('/', '-')}`;
    const created = await iot.send(new CreateThingCommand({ thingName: name, attributePayload: { attributes: { model: 'X1' } } }));
    const again = await iot.send(new CreateThingCommand({ thingName: name, attributePayload: { attributes: { model: 'X1' } } }));
    expect(again.thingId).toBe(created.thingId);
    expect(created.thingArn).toBe(`arn:aws:iot:us-east-1:123456789012:thing/${name}`);
    const conflict = await rejection(iot.send(new CreateThingCommand({ thingName: name, attributePayload: { attributes: { model: 'X2' } } })));
    expect(conflict.name).toBe('ResourceAlreadyExistsException');
    const described = await iot.send(new DescribeThingCommand({ thingName: name }));
    expect(described).toMatchObject({ thingName: name, thingId: created.thingId, attributes: { model: 'X1' } });
    expect((await rejection(iot.send(new DescribeThingCommand({ thingName: 'nobody' })))).name).toBe('ResourceNotFoundException');
    const bad = await rejection(iot.send(new CreateThingCommand({ thingName: 'has space' })));
    expect(bad.name).toBe('InvalidRequestException');
    expect(bad.message).toMatch(/thingName/);
  });
});

describe('embedded broker (aedes, MQTT 3.1.1)', () => {
  it('delivers Publish and expires retained messages itself', async () => {
    let fakeNow = Date.now();
    const embedded = await startEmulatorFixture({ now: () => fakeNow });
    try {
      const data = embedded.iotData();
      const sub = await probe(embedded.emulator.mqttUrl, 4);
      await sub.subscribeAndSettle('site/#', 'marker/1');
      const arriving = sub.next('site/t1/activation');
      await data.send(new PublishCommand({ topic: 'site/t1/activation', qos: 1, retain: true, messageExpiry: 60, payload: Buffer.from('creds') }));
      expect((await arriving).payload).toBe('creds');
      const late = await probe(embedded.emulator.mqttUrl, 4);
      expect((await late.subscribeAndSettle('site/#', 'marker/2')).map((m) => m.payload)).toEqual(['creds']);

      fakeNow += 61_000;
      expect((await rejection(data.send(new GetRetainedMessageCommand({ topic: 'site/t1/activation' })))).name).toBe('ResourceNotFoundException');
      const after = await probe(embedded.emulator.mqttUrl, 4);
      expect(await after.subscribeAndSettle('site/#', 'marker/3')).toEqual([]);
      expect(embedded.emulator.state.retainedMessages).toBe(0);
    } finally {
      await embedded.close();
    }
  });
});
