/**
 * A small MQTT 5 over WebSocket server for the publisher's tests, built on other people's code — `ws`'s server,
 * `mqtt-packet`'s parser and generator, `@smithy/signature-v4`'s presign — so that it checks the publisher
 * rather than agreeing with it: the upgrade's SigV4 query is recomputed with the SDK's signer (service
 * `iotdevicegateway`, token appended after signing, X-Amz-Expires honoured) and refused with 403 when it does
 * not match. CONNACK carries Receive Maximum; each QoS 1 PUBLISH is recorded and answered with the PUBACK
 * reason `decide` picks (or held, or the connection dropped); a turn's PUBACKs go out in one frame.
 * Stands in for the emulator's `/mqtt` until that lands.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import mqtt, { type IPublishPacket, type Packet } from 'mqtt-packet';
import { WebSocketServer, type WebSocket } from 'ws';
import { NodeSha256 } from './node-sha256.js';


export interface ReceivedPublish {
  readonly connection: number;
  readonly clientId: string;
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
  readonly retain: boolean;
  readonly messageExpiryInterval: number | undefined;
}

/** a PUBACK reason code, or: `hold` (no answer yet: `release` sends it), `drop` (destroy the connection, no PUBACK) */
export type Decision = number | 'hold' | 'drop';

export interface ServerConnection {
  readonly id: number;
  clientId: string;
  readonly ws: WebSocket;
  /** binary frames received */
  frames: number;
  unacked: number;
  maxUnacked: number;
  readonly held: { packetId: number }[];
}

export class MqttWsTestServer {
  readonly publishes: ReceivedPublish[] = [];
  readonly retained = new Map<string, Buffer>();
  readonly connections: ServerConnection[] = [];
  authFailures = 0;
  /** what the answer to each publish is; 0 (success) unless a test says otherwise */
  decide: (p: ReceivedPublish) => Decision = () => 0;
  receiveMaximum = 100;
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
  private readonly sockets = new Set<Socket>();

  private constructor(
    /** the credentials a signature must be made with (a test may change them) */
    public credentials: AwsCredentialIdentity,
    private readonly region: string,
  ) {
    this.http = createServer((_req, res) => res.writeHead(404).end());
    this.http.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.http.on('upgrade', (req, socket, head) => {
      void this.authorized(req.url ?? '', req.headers.host ?? '').then((ok) => {
        if (!ok || !req.url?.startsWith('/mqtt?')) {
          this.authFailures++;
          socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
      });
    });
  }

  static async start(credentials: AwsCredentialIdentity, region = 'us-east-1'): Promise<MqttWsTestServer> {
    const server = new MqttWsTestServer(credentials, region);
    await new Promise<void>((resolve) => server.http.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  /** sends the held PUBACKs of every connection with `reason` */
  release(reason = 0): void {
    for (const c of this.connections) {
      const held = c.held.splice(0);
      c.unacked -= held.length;
      if (held.length > 0 && c.ws.readyState === c.ws.OPEN) {
        c.ws.send(Buffer.concat(held.map((h) => mqtt.generate({ cmd: 'puback', messageId: h.packetId, reasonCode: reason }, { protocolVersion: 5 }))));
      }
    }
  }

  /** kills every connection without a word, as a network failure would */
  dropAll(): void {
    for (const c of this.connections) c.ws.terminate();
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** the SDK's own presign of the same request at the URL's date, compared with what arrived */
  private async authorized(url: string, host: string): Promise<boolean> {
    const query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
    const date = query.get('X-Amz-Date') ?? '';
    const credential = query.get('X-Amz-Credential') ?? '';
    const expires = Number(query.get('X-Amz-Expires'));
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    if (!m || credential !== `${this.credentials.accessKeyId}/${date.slice(0, 8)}/${this.region}/iotdevicegateway/aws4_request`) return false;
    const signingDate = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
    if (!(expires > 0) || Date.now() > signingDate.getTime() + expires * 1_000) return false;
    if (query.get('X-Amz-Security-Token') !== (this.credentials.sessionToken ?? null)) return false;
    const [hostname, port] = host.split(':') as [string, string | undefined];
    const signer = new SignatureV4({
      service: 'iotdevicegateway',
      region: this.region,
      credentials: { accessKeyId: this.credentials.accessKeyId, secretAccessKey: this.credentials.secretAccessKey },
      sha256: NodeSha256,
    });
    const presigned = await signer.presign(
      { method: 'GET', protocol: 'https:', hostname, ...(port ? { port: Number(port) } : {}), path: '/mqtt', query: {}, headers: { host } },
      { signingDate, expiresIn: expires },
    );
    return presigned.query?.['X-Amz-Signature'] === query.get('X-Amz-Signature');
  }

  private accept(ws: WebSocket): void {
    const c: ServerConnection = { id: this.connections.length, clientId: '', ws, frames: 0, unacked: 0, maxUnacked: 0, held: [] };
    this.connections.push(c);
    const parser = mqtt.parser({ protocolVersion: 5 });
    let acks: Buffer[] = [];
    const ack = (packet: Packet): void => {
      if (acks.length === 0) {
        setImmediate(() => {
          const out = Buffer.concat(acks);
          acks = [];
          if (ws.readyState === ws.OPEN) ws.send(out);
        });
      }
      acks.push(mqtt.generate(packet, { protocolVersion: 5 }));
    };
    parser.on('packet', (packet: Packet) => {
      if (packet.cmd === 'connect') {
        c.clientId = packet.clientId;
        ack({ cmd: 'connack', reasonCode: 0, sessionPresent: false, properties: { receiveMaximum: this.receiveMaximum } });
      } else if (packet.cmd === 'pingreq') {
        ack({ cmd: 'pingresp' });
      } else if (packet.cmd === 'disconnect') {
        ws.close();
      } else if (packet.cmd === 'publish') {
        this.onPublish(c, packet, ack);
      }
    });
    parser.on('error', () => ws.terminate());
    ws.on('message', (data: Buffer) => {
      c.frames++;
      parser.parse(data);
    });
  }

  private onPublish(c: ServerConnection, packet: IPublishPacket, ack: (p: Packet) => void): void {
    const p: ReceivedPublish = {
      connection: c.id,
      clientId: c.clientId,
      topic: packet.topic,
      payload: Buffer.from(packet.payload),
      qos: packet.qos,
      retain: packet.retain,
      messageExpiryInterval: packet.properties?.messageExpiryInterval,
    };
    this.publishes.push(p);
    c.unacked++;
    c.maxUnacked = Math.max(c.maxUnacked, c.unacked);
    const decision = this.decide(p);
    if (decision === 'drop') {
      c.ws.terminate();
      return;
    }
    if (decision === 'hold') {
      c.held.push({ packetId: packet.messageId! });
      return;
    }
    if (decision === 0 && p.retain) {
      if (p.payload.length === 0) this.retained.delete(p.topic);
      else this.retained.set(p.topic, p.payload);
    }
    c.unacked--;
    ack({ cmd: 'puback', messageId: packet.messageId!, reasonCode: decision });
  }
}

