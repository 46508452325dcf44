/**
 * The hand-written MQTT 5 codec against `mqtt-packet` (the parser and generator of the `mqtt` client): what we
 * encode, it reads as the CONNECT and QoS 1 retained PUBLISHes we mean; what it generates as a server would,
 * we decode; and a byte stream cut anywhere across frames yields the same packets.
 */
import fc from 'fast-check';
import mqtt, { type Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { MqttPacketReader } from '../../../src/adapters/mqtt-packet-reader.js';
import { decodeConnack, decodePuback, encodeConnect, encodePublishInto, MqttProtocolError, PINGREQ, publishSize } from '../../../src/adapters/mqtt-packets.js';

function parseAll(buf: Buffer): Packet[] {
  const parser = mqtt.parser({ protocolVersion: 5 });
  const out: Packet[] = [];
  parser.on('packet', (p: Packet) => out.push(p));
  parser.on('error', (err: Error) => {
    throw err;
  });
  parser.parse(buf);
  return out;
}

function publish(topic: string, packetId: number, payload: Buffer, expiry: number | undefined): Buffer {
  const topicBytes = Buffer.byteLength(topic);
  const buf = Buffer.alloc(publishSize(topicBytes, payload.length, expiry));
  expect(encodePublishInto(buf, 0, topic, topicBytes, packetId, payload, expiry)).toBe(buf.length);
  return buf;
}

const gen = (p: Packet): Buffer => mqtt.generate(p, { protocolVersion: 5 });

describe('encoding', () => {
  it('writes a CONNECT mqtt-packet reads as MQTT 5, clean start, our keep alive and client id, nothing else', () => {
    const [p] = parseAll(encodeConnect('fleet-enroll-1234-ab-7', 60));
    expect(p).toMatchObject({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clean: true, keepalive: 60, clientId: 'fleet-enroll-1234-ab-7' });
    expect(p).not.toHaveProperty('will');
    expect(p).not.toHaveProperty('username');
  });

  it('writes QoS 1 retained PUBLISHes with and without message expiry, any topic, id and payload size', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 300, unit: 'grapheme' }),
        fc.integer({ min: 1, max: 65_535 }),
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 16_000, max: 20_000 }), fc.constant(131_072)),
        fc.option(fc.integer({ min: 1, max: 604_800 }), { nil: undefined }),
        (topic, id, size, expiry) => {
          const payload = Buffer.alloc(size, 0x61);
          const [p] = parseAll(publish(topic, id, payload, expiry));
          expect(p).toMatchObject({ cmd: 'publish', topic, messageId: id, qos: 1, retain: true, dup: false });
          expect(Buffer.from((p as mqtt.IPublishPacket).payload).equals(payload)).toBe(true);
          expect((p as mqtt.IPublishPacket).properties?.messageExpiryInterval).toBe(expiry);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes one turn of publishes back to back into one buffer', () => {
    const a = publish('a/b', 1, Buffer.from('x'), 10);
    const b = publish('c', 2, Buffer.alloc(0), undefined);
    expect(parseAll(Buffer.concat([a, b])).map((p) => (p as mqtt.IPublishPacket).messageId)).toEqual([1, 2]);
  });

  it('has the two-byte PINGREQ', () => {
    expect(parseAll(PINGREQ)).toMatchObject([{ cmd: 'pingreq' }]);
  });
});

describe('decoding', () => {
  it('reads a CONNACK with Receive Maximum among other properties, and one without any', () => {
    const body = (p: Packet) => gen(p).subarray(2);
    expect(
      decodeConnack(
        body({
          cmd: 'connack',
          reasonCode: 0,
          sessionPresent: false,
          properties: { sessionExpiryInterval: 0, receiveMaximum: 100, maximumQoS: 1, retainAvailable: true, maximumPacketSize: 149_504, assignedClientIdentifier: 'x', topicAliasMaximum: 8, serverKeepAlive: 120, userProperties: { a: 'b' } },
        }),
      ),
    ).toEqual({ reasonCode: 0, receiveMaximum: 100, serverKeepAlive: 120, maximumPacketSize: 149_504 });
    expect(decodeConnack(body({ cmd: 'connack', reasonCode: 0x87, sessionPresent: false }))).toMatchObject({ reasonCode: 0x87, receiveMaximum: 65_535 });
  });

  it('reads PUBACKs in the short and the long form', () => {
    expect(decodePuback(gen({ cmd: 'puback', messageId: 513, reasonCode: 0 }).subarray(2))).toEqual({ packetId: 513, reasonCode: 0 });
    expect(decodePuback(gen({ cmd: 'puback', messageId: 7, reasonCode: 0x97, properties: { reasonString: 'slow down' } }).subarray(2))).toEqual({ packetId: 7, reasonCode: 0x97 });
    expect(() => decodePuback(Buffer.from([1]))).toThrow(MqttProtocolError);
  });

  it('reads the same packets from a stream however it is cut into frames', () => {
    const stream = Buffer.concat([
      gen({ cmd: 'connack', reasonCode: 0, sessionPresent: false, properties: { receiveMaximum: 100 } }),
      ...Array.from({ length: 40 }, (_, i) => gen({ cmd: 'puback', messageId: i + 1, reasonCode: i % 7 === 0 ? 0x97 : 0 })),
      gen({ cmd: 'pingresp' }),
      // a long packet: a remaining length of two bytes
      gen({ cmd: 'puback', messageId: 99, reasonCode: 0x80, properties: { reasonString: 'r'.repeat(300) } }),
    ]);
    const expected = read([stream]);
    expect(expected).toHaveLength(43);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 20 }), (cuts) => {
        const at = [0, ...cuts.sort((x, y) => x - y), stream.length];
        expect(read(at.slice(1).map((end, i) => stream.subarray(at[i], end)))).toEqual(expected);
      }),
    );
  });

  it('refuses a packet larger than its limit', () => {
    const reader = new MqttPacketReader(() => undefined, 100);
    expect(() => reader.push(gen({ cmd: 'puback', messageId: 1, reasonCode: 0x80, properties: { reasonString: 'r'.repeat(200) } }))).toThrow(MqttProtocolError);
  });
});

function read(frames: Buffer[]): string[] {
  const out: string[] = [];
  const reader = new MqttPacketReader((type, flags, body) => out.push(`${type}:${flags}:${body.toString('hex')}`));
  for (const f of frames) reader.push(Buffer.from(f));
  return out;
}
