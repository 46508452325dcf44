/**
 * Test support for the emulator's `/mqtt`: a presigned URL built with the SDK's own signer
 * (`@smithy/signature-v4` `presign`, service `iotdevicegateway`, the token appended after signing,
 * as AWS IoT wants it), independent of the orchestrator's signer; and a raw WebSocket MQTT 5 client
 * (ws + mqtt-packet) that sends exactly the bytes and frames a test asks for.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { generate, parser as mqttParser, type IPublishPacket, type Packet } from 'mqtt-packet';
import { WebSocket } from 'ws';
import { NodeSha256 } from '../../support/node-sha256.js';


const escape = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface PresignOptions {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly at: number;
  readonly service?: string;
  readonly expiresIn?: number;
  /** appended after signing */
  readonly appendToken?: string;
  /** signed into the query the standard way (AWS IoT refuses this) */
  readonly signedToken?: string;
  readonly path?: string;
}

/** `http://host:port` → `ws://host:port/mqtt?X-Amz-…` */
export async function presignedMqttUrl(endpoint: string, o: PresignOptions): Promise<string> {
  const url = new URL(endpoint);
  const path = o.path ?? '/mqtt';
  const signer = new SignatureV4({
    service: o.service ?? 'iotdevicegateway',
    region: o.region,
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, ...(o.signedToken ? { sessionToken: o.signedToken } : {}) },
    sha256: NodeSha256,
  });
  const signed = await signer.presign(
    { method: 'GET', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path, query: {}, headers: { host: url.host } },
    { expiresIn: o.expiresIn ?? 86_400, signingDate: new Date(o.at) },
  );
  const query = Object.entries(signed.query as Record<string, string>).map(([k, v]) => `${escape(k)}=${escape(v)}`).join('&');
  const token = o.appendToken === undefined ? '' : `&X-Amz-Security-Token=${escape(o.appendToken)}`;
  return `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}${path}?${query}${token}`;
}

/** What a refused upgrade answered. */
export interface Refusal {
  readonly status: number;
  readonly body: string;
}

export class RawMqttClient {
  readonly packets: Packet[] = [];
  readonly parseErrors: string[] = [];
  /** one entry per WebSocket frame received: how many packets it held */
  readonly framePacketCounts: number[] = [];
  private waiters: { cmd: string; resolve: (p: Packet) => void }[] = [];
  /** packets already handed out by `next` */
  private readonly taken = new Set<Packet>();
  readonly closed: Promise<void>;

  private constructor(private readonly ws: WebSocket) {
    const parser = mqttParser({ protocolVersion: 5 });
    // a packet the parser refuses fails the test that waits for it, not the whole run
    parser.on('error', (error: Error) => this.parseErrors.push(error.message));
    parser.on('packet', (packet: Packet) => {
      this.packets.push(packet);
      const i = this.waiters.findIndex((w) => w.cmd === packet.cmd);
      if (i !== -1) this.waiters.splice(i, 1)[0]!.resolve(packet);
    });
    ws.on('message', (data: Buffer) => {
      const before = this.packets.length;
      parser.parse(data);
      this.framePacketCounts.push(this.packets.length - before);
    });
    this.closed = new Promise((resolve) => ws.on('close', () => resolve()));
  }

  /** Opens the WebSocket (subprotocol `mqtt`); a refused upgrade resolves as its status and body. */
  static open(url: string, protocols: string[] = ['mqtt'], ca?: string): Promise<RawMqttClient | Refusal> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, ca === undefined ? {} : { ca });
      ws.on('open', () => resolve(new RawMqttClient(ws)));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('error', (error) => reject(error));
    });
  }

  /** Opens and sends CONNECT (MQTT 5, clean start, keepalive 60); resolves with the CONNACK. */
  static async connect(url: string, clientId: string, ca?: string): Promise<{ client: RawMqttClient; connack: Packet }> {
    const opened = await RawMqttClient.open(url, ['mqtt'], ca);
    if (!(opened instanceof RawMqttClient)) throw new Error(`upgrade refused: ${opened.status} ${opened.body}`);
    const connack = opened.next('connack');
    opened.send({ cmd: 'connect', protocolVersion: 5, clientId, clean: true, keepalive: 60 });
    return { client: opened, connack: await connack };
  }

  /** All the packets in one WebSocket frame. */
  send(...packets: Packet[]): void {
    this.sendRaw(Buffer.concat(packets.map((p) => encode(p))));
  }

  sendRaw(frame: Buffer): void {
    this.ws.send(frame, { binary: true });
  }

  next(cmd: string): Promise<Packet> {
    const seen = this.packets.find((p) => p.cmd === cmd && !this.taken.has(p));
    if (seen) {
      this.taken.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve) =>
      this.waiters.push({
        cmd,
        resolve: (p) => {
          this.taken.add(p);
          resolve(p);
        },
      }),
    );
  }

  /** Resolves once `count` PUBACKs have arrived, in arrival order. */
  async pubacks(count: number): Promise<{ messageId: number; reasonCode: number }[]> {
    const acks: { messageId: number; reasonCode: number }[] = [];
    for (let i = 0; i < count; i++) {
      const p = (await this.next('puback')) as Packet & { messageId: number; reasonCode?: number };
      acks.push({ messageId: p.messageId, reasonCode: p.reasonCode ?? 0 });
    }
    return acks;
  }

  close(): void {
    this.ws.terminate();
  }
}

export const encode = (packet: Packet): Buffer => generate(packet, { protocolVersion: 5 });

/** A QoS 1 retained PUBLISH (as the orchestrator's credentials publish is), unless told otherwise. */
export function publish(messageId: number, topic: string, payload: string, expiry?: number, over: Partial<Pick<IPublishPacket, 'qos' | 'retain'>> = {}): IPublishPacket {
  return {
    cmd: 'publish',
    messageId,
    qos: over.qos ?? 1,
    dup: false,
    retain: over.retain ?? true,
    topic,
    payload: Buffer.from(payload),
    ...(expiry !== undefined ? { properties: { messageExpiryInterval: expiry } } : {}),
  };
}
