/**
 * Packets an mqtt.js client sends over several turns of the event loop (as PUBACKs are, one per message
 * handled) reach the broker in one write when gathered, one write each when not. Counted as the reads of a
 * TCP relay between the client and the real Mosquitto (the client's socket without Nagle's algorithm, which
 * would merge small writes into one segment and hide them from the relay); directly and through the device
 * side's MqttConnection.
 */
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherWrites } from '../../../src/mqtt/write-gathering.js';
import { MqttConnection } from '../../../src/device/mqtt-connection.js';

const MOSQUITTO = new URL(process.env.FLEET_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883');
const root = `test-gather-${randomBytes(4).toString('hex')}`;
const PUBLISHES = 50;
/** far longer than 50 turns of the loop take, so the test does not depend on the machine's speed */
const GATHER_MS = 300;

let relay: Server;
let relayUrl: string;
/** reads of what the clients sent, per client connection, in order of connecting */
const readsPerConnection: number[] = [];

beforeAll(async () => {
  relay = createServer((client) => {
    const index = readsPerConnection.push(0) - 1;
    const broker = createConnection({ host: MOSQUITTO.hostname, port: Number(MOSQUITTO.port || 1883) });
    client.on('data', (chunk) => {
      readsPerConnection[index]! += 1;
      broker.write(chunk);
    });
    broker.pipe(client);
    client.on('close', () => broker.destroy());
    broker.on('close', () => client.destroy());
    client.on('error', () => broker.destroy());
    broker.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  relayUrl = `mqtt://127.0.0.1:${(relay.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => relay.close(resolve));
});

/** QoS 0 publishes (nothing for the broker to keep), one per turn of the event loop */
async function publishOnePerTurn(send: (topic: string) => void): Promise<void> {
  for (let i = 0; i < PUBLISHES; i++) {
    send(`${root}/t/${i}`);
    await nextTurn();
  }
}

async function run(gathered: boolean): Promise<number> {
  const connection = readsPerConnection.length;
  const client = await mqtt.connectAsync(relayUrl, { clientId: `${root}-${randomBytes(3).toString('hex')}`, reconnectPeriod: 0 });
  try {
    // without Nagle's algorithm every write is a segment of its own, so the relay's reads count the writes
    (client.stream as Socket).setNoDelay(true);
    await new Promise((r) => setTimeout(r, 50)); // CONNECT read on its own
    const before = readsPerConnection[connection]!;
    if (gathered) gatherWrites(client, GATHER_MS);
    await publishOnePerTurn((topic) => client.publish(topic, 'x', { qos: 0 }));
    await new Promise((r) => setTimeout(r, GATHER_MS + 200));
    return readsPerConnection[connection]! - before;
  } finally {
    await client.endAsync(true);
  }
}

describe('gatherWrites (src/mqtt)', () => {
  it('sends what came over many turns in one write; mqtt.js alone writes each', async () => {
    expect(await run(true)).toBe(1);
    expect(await run(false)).toBeGreaterThan(PUBLISHES / 5);
  });
});

describe('MqttConnection with gatherWritesMs (src/device)', () => {
  it('sends what came over many turns in one write', async () => {
    const connection = readsPerConnection.length;
    const link = await MqttConnection.connect({ url: relayUrl, clientId: `${root}-dev-${randomBytes(3).toString('hex')}`, connectTimeoutMs: 5_000, gatherWritesMs: GATHER_MS });
    try {
      await new Promise((r) => setTimeout(r, GATHER_MS + 100)); // CONNECT, gathered too, has gone
      const before = readsPerConnection[connection]!;
      await publishOnePerTurn((topic) => void link.publish(topic, 'x', { qos: 0 }));
      await new Promise((r) => setTimeout(r, GATHER_MS + 200));
      expect(readsPerConnection[connection]! - before).toBe(1);
    } finally {
      await link.close();
    }
  });
});
