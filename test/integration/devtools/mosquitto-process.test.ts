import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { MosquittoSysReader } from '../../../bench/mosquitto-sys-reader.js';
import { MOSQUITTO_BINARY, MosquittoProcess } from '../../../src/devtools/mosquitto-process.js';

const utf8 = (s: string): Buffer => Buffer.concat([Buffer.from([s.length >> 8, s.length & 0xff]), Buffer.from(s)]);
const packet = (header: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([header, body.length]), body]);

/** MQTT 3.1.1 by hand: CONNECT, SUBSCRIBE at QoS 1, and then never a PUBACK (mqtt.js acks by itself) */
async function subscriberThatNeverAcks(url: string, filter: string): Promise<Socket> {
  const { port } = new URL(url);
  const socket = connect({ host: '127.0.0.1', port: Number(port) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const subscribed = new Promise<void>((resolve) => socket.on('data', (chunk: Buffer) => chunk.includes(0x90) && resolve()));
  socket.write(packet(0x10, Buffer.concat([utf8('MQTT'), Buffer.from([4, 0x02, 0, 60]), utf8('stuck')])));
  socket.write(packet(0x82, Buffer.concat([Buffer.from([0, 1]), utf8(filter), Buffer.from([1])])));
  await subscribed;
  return socket;
}

describe.runIf(existsSync(MOSQUITTO_BINARY))('MosquittoProcess', () => {
  let broker: MosquittoProcess | undefined;
  afterAll(async () => broker?.stop());

  it('drops what a subscriber that never acks cannot take, and says so in $SYS', async () => {
    broker = await MosquittoProcess.start();
    const sys = await MosquittoSysReader.connect(broker.url);
    // no PUBACK ever: 20 in flight (max_inflight_messages), then 1,000 queued (max_queued_messages), the rest dropped
    const stuck = await subscriberThatNeverAcks(broker.url, 'burst/#');
    const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'publisher', clean: true });
    await Promise.all(Array.from({ length: 1_100 }, (_, i) => publisher.publishAsync(`burst/${i}`, 'x', { qos: 1 })));
    const { counters } = await sys.read();
    // a fresh broker: its counters started at 0
    expect(counters.received).toBe(1_100);
    expect(counters.dropped).toBe(80);
    stuck.destroy();
    await Promise.all([sys.close(), publisher.endAsync()]);
    const url = broker.url;
    await broker.stop();
    broker = undefined;
    await expect(mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 1_000 })).rejects.toThrow();
  }, 10_000);
});
