/**
 * A link asked for MQTT 5 with a large Receive Maximum (the simulator's, each standing for many devices): on a
 * broker that speaks MQTT 5 (the shared Mosquitto) it gets it, so a burst past Mosquitto's 20 in flight + 1,000
 * queued per client arrives whole; on one that speaks only 3.1.1 (aedes, the emulator's embedded broker) it
 * connects with that instead of failing.
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { MqttConnection } from '../../../src/device/mqtt-connection.js';
import { EmbeddedBroker } from '../../../src/emulator/iotdata/embedded-broker.js';

const MOSQUITTO = process.env.FLEET_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const root = `test-mqttconn-${randomBytes(4).toString('hex')}`;
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
});

async function burst(url: string, count: number): Promise<{ got: number; version: 4 | 5 }> {
  const link = await MqttConnection.connect({ url, clientId: `${root}-sub-${randomBytes(3).toString('hex')}`, connectTimeoutMs: 5_000, receiveMaximum: 65_535 });
  closers.push(() => link.close());
  let got = 0;
  const all = new Promise<void>((resolve) =>
    link.onMessage(() => {
      if (++got === count) resolve();
    }),
  );
  await link.subscribe(`${root}/burst/#`);
  const pub = await mqtt.connectAsync(url, { clientId: `${root}-pub-${randomBytes(3).toString('hex')}` });
  closers.push(() => pub.endAsync());
  // QoS 1, not retained (nothing to clean up), sent as fast as the publisher can
  await Promise.all(Array.from({ length: count }, (_, i) => pub.publishAsync(`${root}/burst/${i}`, 'x', { qos: 1 })));
  await Promise.race([all, new Promise((r) => setTimeout(r, 15_000))]);
  return { got, version: link.protocolVersion };
}

describe('MqttConnection with a Receive Maximum', () => {
  it('speaks MQTT 5 to Mosquitto and takes a burst of 3,000 whole', async () => {
    expect(await burst(MOSQUITTO, 3_000)).toEqual({ got: 3_000, version: 5 });
  });

  it('connects to a broker that speaks only MQTT 3.1.1 (aedes) and receives there too', async () => {
    const broker = await EmbeddedBroker.start(0, '127.0.0.1');
    closers.push(() => broker.close());
    expect(await burst(broker.url, 200)).toEqual({ got: 200, version: 4 });
  });
});
