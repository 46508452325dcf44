/**
 * The few MQTT 5 packets the publisher sends and reads, written by hand (MQTT 5.0 spec, §3): a QoS 1 PUBLISH
 * is a fixed header, a topic, a packet id and at most one property, so encoding it straight into one buffer
 * costs a fraction of a general-purpose packet library's per-packet objects and generators. Only what a
 * publisher needs: CONNECT out, CONNACK in, PUBLISH out, PUBACK in, PINGREQ out, PINGRESP in, DISCONNECT
 * both ways. Decoders take a packet's body (after the fixed header) and throw MqttProtocolError on bytes
 * that are not what the spec allows.
 */

/** packet types, the fixed header's high nibble */
export const enum PacketType {
  Connack = 2,
  Puback = 4,
  Pingresp = 13,
  Disconnect = 14,
}

/** QoS 1 (0b010) and retain (0b1) on a PUBLISH (type 3) */
const PUBLISH_QOS1_RETAIN = 0x33;
const MESSAGE_EXPIRY_INTERVAL = 0x02;
const RECEIVE_MAXIMUM = 0x21;
const SERVER_KEEP_ALIVE = 0x13;
const MAXIMUM_PACKET_SIZE = 0x27;

export const PINGREQ: Buffer = Buffer.from([0xc0, 0x00]);
/** DISCONNECT, reason 0 (normal disconnection), no properties: the two-byte short form */
export const DISCONNECT: Buffer = Buffer.from([0xe0, 0x00]);

export class MqttProtocolError extends Error {
  override readonly name = 'MqttProtocolError';
}

/** bytes of a Variable Byte Integer (§1.5.5) */
function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x20_0000 ? 3 : 4;
}

function writeVarint(buf: Buffer, offset: number, n: number): number {
  do {
    let byte = n % 0x80;
    n = Math.floor(n / 0x80);
    if (n > 0) byte |= 0x80;
    buf[offset++] = byte;
  } while (n > 0);
  return offset;
}

/** CONNECT: protocol level 5, clean start, `keepAliveSeconds`, no properties, no will, no user name or password */
export function encodeConnect(clientId: string, keepAliveSeconds: number): Buffer {
  const idLength = Buffer.byteLength(clientId);
  // protocol name (6) + level (1) + flags (1) + keep alive (2) + properties length (1) + client id
  const remaining = 11 + 2 + idLength;
  const buf = Buffer.allocUnsafe(1 + varintSize(remaining) + remaining);
  buf[0] = 0x10;
  let o = writeVarint(buf, 1, remaining);
  o = buf.writeUInt16BE(4, o);
  o += buf.write('MQTT', o, 'latin1');
  buf[o++] = 5;
  buf[o++] = 0x02;
  o = buf.writeUInt16BE(keepAliveSeconds, o);
  buf[o++] = 0;
  o = buf.writeUInt16BE(idLength, o);
  buf.write(clientId, o, 'utf8');
  return buf;
}

/** bytes of the PUBLISH `encodePublishInto` writes */
export function publishSize(topicBytes: number, payloadBytes: number, expirySeconds: number | undefined): number {
  const remaining = 2 + topicBytes + 2 + (expirySeconds === undefined ? 1 : 6) + payloadBytes;
  return 1 + varintSize(remaining) + remaining;
}

/**
 * A QoS 1 retained PUBLISH written into `buf` at `offset` (which has room: publishSize); returns the offset
 * after it. `topicBytes` is the topic's UTF-8 length, measured once by the caller for both calls.
 */
export function encodePublishInto(
  buf: Buffer,
  offset: number,
  topic: string,
  topicBytes: number,
  packetId: number,
  payload: Buffer,
  expirySeconds: number | undefined,
): number {
  const remaining = 2 + topicBytes + 2 + (expirySeconds === undefined ? 1 : 6) + payload.length;
  buf[offset] = PUBLISH_QOS1_RETAIN;
  let o = writeVarint(buf, offset + 1, remaining);
  o = buf.writeUInt16BE(topicBytes, o);
  o += buf.write(topic, o, 'utf8');
  o = buf.writeUInt16BE(packetId, o);
  if (expirySeconds === undefined) {
    buf[o++] = 0;
  } else {
    buf[o++] = 5;
    buf[o++] = MESSAGE_EXPIRY_INTERVAL;
    o = buf.writeUInt32BE(expirySeconds, o);
  }
  return o + payload.copy(buf, o);
}

export interface Connack {
  readonly reasonCode: number;
  /** the server's Receive Maximum: 65,535 when it sends none (§3.2.2.3.3) */
  readonly receiveMaximum: number;
  /** the keep alive the server wants instead of ours, when it says */
  readonly serverKeepAlive: number | undefined;
  readonly maximumPacketSize: number | undefined;
}

export function decodeConnack(body: Buffer): Connack {
  if (body.length < 2) throw new MqttProtocolError('CONNACK too short');
  const reasonCode = body[1]!;
  let receiveMaximum = 65_535;
  let serverKeepAlive: number | undefined;
  let maximumPacketSize: number | undefined;
  if (body.length > 2) {
    const [length, start] = readVarint(body, 2);
    const end = start + length;
    if (end > body.length) throw new MqttProtocolError('CONNACK properties overrun the packet');
    for (let o = start; o < end; ) {
      const id = body[o]!;
      if (id === RECEIVE_MAXIMUM) receiveMaximum = body.readUInt16BE(o + 1);
      else if (id === SERVER_KEEP_ALIVE) serverKeepAlive = body.readUInt16BE(o + 1);
      else if (id === MAXIMUM_PACKET_SIZE) maximumPacketSize = body.readUInt32BE(o + 1);
      o = skipProperty(body, o);
    }
    if (receiveMaximum === 0) throw new MqttProtocolError('CONNACK Receive Maximum 0');
  }
  return { reasonCode, receiveMaximum, serverKeepAlive, maximumPacketSize };
}

export interface Puback {
  readonly packetId: number;
  /** 0 when the server leaves it out (§3.4.2.1) */
  readonly reasonCode: number;
}

export function decodePuback(body: Buffer): Puback {
  if (body.length < 2) throw new MqttProtocolError('PUBACK too short');
  return { packetId: body.readUInt16BE(0), reasonCode: body.length > 2 ? body[2]! : 0 };
}

/** a DISCONNECT's reason code, 0 when it has none */
export function decodeDisconnect(body: Buffer): number {
  return body.length > 0 ? body[0]! : 0;
}

/** [value, offset after it] of the Variable Byte Integer at `offset`; -1 as value when the bytes end first */
export function readVarint(buf: Buffer, offset: number): [number, number] {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 4; i++) {
    if (offset + i >= buf.length) return [-1, offset];
    const byte = buf[offset + i]!;
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return [value, offset + i + 1];
    multiplier *= 0x80;
  }
  throw new MqttProtocolError('Variable Byte Integer longer than 4 bytes');
}

/** the offset after the property at `o` (§2.2.2.2: each identifier has one fixed type) */
function skipProperty(buf: Buffer, o: number): number {
  const id = buf[o++]!;
  switch (id) {
    case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2a:
      return o + 1;
    case 0x13: case 0x21: case 0x22: case 0x23:
      return o + 2;
    case 0x02: case 0x11: case 0x18: case 0x27:
      return o + 4;
    case 0x0b: {
      const [, after] = readVarint(buf, o);
      return after;
    }
    case 0x03: case 0x08: case 0x09: case 0x12: case 0x15: case 0x16: case 0x1a: case 0x1c: case 0x1f:
      return o + 2 + buf.readUInt16BE(o);
    case 0x26: {
      const after = o + 2 + buf.readUInt16BE(o);
      return after + 2 + buf.readUInt16BE(after);
    }
    default:
      throw new MqttProtocolError(`unknown property 0x${id.toString(16)}`);
  }
}
