/**
 * One MQTT 5 connection over WebSocket to the IoT data endpoint, publishing only: CONNECT with clean start,
 * QoS 1 retained PUBLISHes, PUBACKs matched to their packet ids, PINGREQ when idle. All publishes of one
 * event-loop turn go out as one WebSocket frame (one `ws.send`, one buffer), which is where the CPU saving over
 * one HTTPS request each comes from. It keeps AWS IoT's per-connection limits itself — at most the server's
 * Receive Maximum unacked and `publishesPerSecond` (AWS: 100/s, not adjustable) in a local token bucket —
 * and says whether it has room; the pool (MqttPublishPool) decides where a publish goes. A connection that
 * goes away fails its unacked publishes as transient (ConnectionLost): they may be sent again elsewhere.
 */
import WebSocket, { type ClientOptions } from 'ws';
import { MqttPacketReader } from './mqtt-packet-reader.js';
import {
  decodeConnack,
  decodeDisconnect,
  decodePuback,
  DISCONNECT,
  encodeConnect,
  encodePublishInto,
  PacketType,
  PINGREQ,
  publishSize,
} from './mqtt-packets.js';
import { MqttPublishError } from './mqtt-publish-error.js';
import { TurnGatherer } from './turn-gatherer.js';

/** one publish and the promise that waits for its PUBACK */
export interface PublishJob {
  readonly topic: string;
  readonly payload: Buffer;
  readonly expirySeconds: number | undefined;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

interface InFlight {
  readonly job: PublishJob;
  readonly sentAt: number;
}

interface Outgoing {
  readonly job: PublishJob;
  readonly packetId: number;
  readonly topicBytes: number;
}

export interface MqttConnectionSettings {
  /** the presigned `wss://…/mqtt?…` URL: a secret, never put in an error or a log */
  readonly url: string;
  readonly clientId: string;
  readonly keepAliveSeconds: number;
  readonly publishesPerSecond: number;
  /** a publish unacked this long is taken for lost: the connection is dropped and its publishes fail */
  readonly ackTimeoutMs: number;
  /** TLS settings for `wss:` (the CA bundle) */
  readonly wsOptions?: ClientOptions;
  readonly now: () => number;
  /** told when room frees up (a CONNACK, PUBACKs) */
  readonly onRoom: (connection: MqttPublishConnection) => void;
  /** told once, when the connection is gone (closed, lost or never opened) */
  readonly onGone: (connection: MqttPublishConnection) => void;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export class MqttPublishConnection {
  state: ConnectionState = 'connecting';
  /** resolves on a successful CONNACK; rejects with a MqttPublishError when the connection never opens */
  readonly ready: Promise<void>;
  readonly openedAt: number;
  /** the last time a publish was handed to this connection */
  lastUsed: number;
  /** the server's Receive Maximum, known after CONNACK */
  receiveMaximum = 0;
  private readonly ws: WebSocket;
  private readonly inFlight = new Map<number, InFlight>();
  private readonly outgoing: TurnGatherer<Outgoing>;
  private readonly reader: MqttPacketReader;
  private nextPacketId = 1;
  private tokens: number;
  private refilledAt: number;
  private keepAliveMs: number;
  private lastSentAt: number;
  private pingSentAt: number | undefined;
  private acked = 0;
  private settleReady!: { resolve: () => void; reject: (err: unknown) => void };

  constructor(private readonly settings: MqttConnectionSettings) {
    const now = settings.now();
    this.openedAt = this.lastUsed = this.lastSentAt = this.refilledAt = now;
    this.tokens = settings.publishesPerSecond;
    this.keepAliveMs = settings.keepAliveSeconds * 1_000;
    this.ready = new Promise<void>((resolve, reject) => (this.settleReady = { resolve, reject }));
    // a failure before anyone awaits it is still handled by whoever awaits it later
    this.ready.catch(() => undefined);
    this.outgoing = new TurnGatherer((items) => this.flush(items));
    this.reader = new MqttPacketReader((type, _flags, body) => this.onPacket(type, body));
    this.ws = openWebSocket(settings);
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('open', () => this.send(encodeConnect(settings.clientId, settings.keepAliveSeconds)));
    this.ws.on('message', (data: Buffer) => this.onData(data));
    this.ws.on('unexpected-response', (req, res) => {
      res.resume();
      this.fail(MqttPublishError.refused(res.statusCode ?? 0));
      req.destroy();
    });
    // the ws error's message may quote the host but never the query; still, only its code goes on
    this.ws.on('error', (err: NodeJS.ErrnoException) =>
      this.fail(new MqttPublishError('ConnectionLost', `MQTT WebSocket error${err.code ? `: ${err.code}` : ''}`, undefined, err.code ?? 'ECONNRESET')),
    );
    this.ws.on('close', (code) => this.fail(MqttPublishError.connectionLost(`WebSocket closed (${code})`)));
  }

  get unacked(): number {
    return this.inFlight.size;
  }

  /** open, under Receive Maximum, and a token in the bucket */
  hasRoom(now: number): boolean {
    if (this.state !== 'open' || this.inFlight.size >= this.receiveMaximum) return false;
    this.refill(now);
    return this.tokens >= 1;
  }

  /** ms until the bucket holds a token again (0 when it does) */
  msUntilToken(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1_000) / this.settings.publishesPerSecond);
  }

  /** sends the job in this turn's frame; the caller checked hasRoom */
  publish(job: PublishJob, now: number): void {
    this.tokens -= 1;
    this.lastUsed = now;
    const packetId = this.allocatePacketId();
    this.inFlight.set(packetId, { job, sentAt: now });
    this.outgoing.add({ job, packetId, topicBytes: Buffer.byteLength(job.topic) });
  }

  /** once a second from the pool: keep-alive, and a connection that stopped answering is dropped */
  tick(now: number): void {
    if (this.state !== 'open') return;
    const oldest = this.inFlight.values().next().value;
    if (oldest && now - oldest.sentAt > this.settings.ackTimeoutMs) {
      this.drop(MqttPublishError.connectionLost(`no PUBACK within ${this.settings.ackTimeoutMs} ms`));
    } else if (this.pingSentAt !== undefined && now - this.pingSentAt > Math.max(this.keepAliveMs, 10_000)) {
      this.drop(MqttPublishError.connectionLost('no PINGRESP'));
    } else if (this.keepAliveMs > 0 && this.pingSentAt === undefined && now - this.lastSentAt >= this.keepAliveMs / 2) {
      this.pingSentAt = now;
      this.send(PINGREQ);
    }
  }

  /** a polite end: DISCONNECT, then close; anything still unacked fails as lost */
  close(): void {
    if (this.state === 'open') this.send(DISCONNECT);
    if (this.state !== 'closed') this.ws.close(1000);
    this.fail(MqttPublishError.connectionLost('closed by the publisher'));
  }

  private drop(err: MqttPublishError): void {
    this.fail(err);
    this.ws.terminate();
  }

  private fail(err: MqttPublishError): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.settleReady.reject(err);
    const lost = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const f of lost) f.job.reject(err);
    this.settings.onGone(this);
  }

  private allocatePacketId(): number {
    // at most Receive Maximum (≤ 65,535) in flight: a free id is always found
    let id = this.nextPacketId;
    while (this.inFlight.has(id)) id = id === 65_535 ? 1 : id + 1;
    this.nextPacketId = id === 65_535 ? 1 : id + 1;
    return id;
  }

  private refill(now: number): void {
    const rate = this.settings.publishesPerSecond;
    if (this.tokens < rate && now > this.refilledAt) this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) * rate) / 1_000);
    this.refilledAt = now;
  }

  /** one turn's publishes, encoded into one buffer and sent as one frame */
  private flush(items: Outgoing[]): void {
    if (this.state !== 'open') return; // failed meanwhile: their jobs were rejected with the connection
    let size = 0;
    for (const o of items) size += publishSize(o.topicBytes, o.job.payload.length, o.job.expirySeconds);
    const frame = Buffer.allocUnsafe(size);
    let offset = 0;
    for (const o of items) offset = encodePublishInto(frame, offset, o.job.topic, o.topicBytes, o.packetId, o.job.payload, o.job.expirySeconds);
    this.send(frame);
  }

  private send(data: Buffer): void {
    this.lastSentAt = this.settings.now();
    this.ws.send(data, { binary: true });
  }

  private onData(data: Buffer): void {
    this.acked = 0;
    try {
      this.reader.push(data);
    } catch (err) {
      this.drop(MqttPublishError.connectionLost(`unreadable MQTT from the server (${(err as Error).message})`));
      return;
    }
    if (this.acked > 0 && this.state === 'open') this.settings.onRoom(this);
  }

  private onPacket(type: number, body: Buffer): void {
    if (type === PacketType.Puback) {
      const { packetId, reasonCode } = decodePuback(body);
      const entry = this.inFlight.get(packetId);
      if (!entry) return; // after an ack timeout, or a duplicate: nobody waits for it
      this.inFlight.delete(packetId);
      this.acked++;
      // below 0x80 is success, 0x10 (no matching subscribers) included
      if (reasonCode < 0x80) entry.job.resolve();
      else entry.job.reject(MqttPublishError.ofPuback(reasonCode));
    } else if (type === PacketType.Connack) {
      this.onConnack(body);
    } else if (type === PacketType.Pingresp) {
      this.pingSentAt = undefined;
    } else if (type === PacketType.Disconnect) {
      const reason = decodeDisconnect(body);
      this.drop(MqttPublishError.connectionLost(`server DISCONNECT 0x${reason.toString(16).padStart(2, '0')}`));
    }
  }

  private onConnack(body: Buffer): void {
    if (this.state !== 'connecting') return;
    const connack = decodeConnack(body);
    if (connack.reasonCode !== 0) {
      this.drop(MqttPublishError.ofConnack(connack.reasonCode));
      return;
    }
    this.receiveMaximum = connack.receiveMaximum;
    if (connack.serverKeepAlive !== undefined) this.keepAliveMs = connack.serverKeepAlive * 1_000;
    this.state = 'open';
    this.settleReady.resolve();
    this.settings.onRoom(this);
  }
}

/** ws quotes a URL it cannot use in its error, and this one carries a signature: the error names the field only */
function openWebSocket(settings: MqttConnectionSettings): WebSocket {
  try {
    return new WebSocket(settings.url, 'mqtt', { perMessageDeflate: false, handshakeTimeout: 10_000, ...settings.wsOptions });
  } catch {
    throw new MqttPublishError('InvalidRequestException', 'the data endpoint URL cannot be used for MQTT over WebSocket', 400);
  }
}
