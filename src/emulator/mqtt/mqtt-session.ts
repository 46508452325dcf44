/**
 * One MQTT 5 connection over a WebSocket, as AWS IoT's device gateway holds it: the bytes of all
 * frames are one stream (a frame may hold several packets or part of one, MQTT 5 §6), parsed by
 * mqtt-packet. CONNECT → CONNACK (Receive Maximum 100, Maximum QoS 1), PINGREQ → PINGRESP,
 * PUBLISH → MqttPublishPath → PUBACK in order (PubackQueue). The gateway's policy grants publish
 * only: SUBSCRIBE is answered 0x87 Not authorized per filter (the way AWS IoT answers a subscribe
 * its policy refuses), UNSUBSCRIBE 0x11 No subscription existed; the connection stays up.
 * Timers (connect deadline, keepalive) run on the wall clock: tests freeze the emulator's clock.
 */
import { generate, parser as mqttParser, type IConnectPacket, type IPublishPacket, type Packet } from 'mqtt-packet';
import type { WebSocket } from 'ws';
import { ConnectionPublishLimit } from './connection-publish-limit.js';
import type { MqttPublishPath } from './mqtt-publish-path.js';
import { PubackQueue, type PubackSlot } from './puback-queue.js';
import { RECEIVE_MAXIMUM, REASON } from './reason-codes.js';

/** Who holds which client id: AWS IoT closes the older of two connections with one id. */
export interface ClientIdRegistry {
  claim(clientId: string, session: MqttSession): void;
  release(session: MqttSession): void;
}

const V5 = { protocolVersion: 5 };
const PINGRESP = Buffer.from([0xd0, 0x00]);
/** a connection that has not sent CONNECT by then is closed */
const CONNECT_DEADLINE_MS = 10_000;
/** AWS IoT's keepalive range; 0 means its default, 1200 s */
const MIN_KEEPALIVE_S = 30;
const MAX_KEEPALIVE_S = 1200;
const MAX_CLIENT_ID_BYTES = 128;

export class MqttSession {
  private readonly parser = mqttParser(V5);
  private readonly acks: PubackQueue;
  private readonly limit: ConnectionPublishLimit;
  private clientIdHeld: string | undefined;
  private ended = false;
  private idle: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly publishes: MqttPublishPath,
    private readonly registry: ClientIdRegistry,
    now: () => number,
  ) {
    this.limit = new ConnectionPublishLimit(now);
    this.acks = new PubackQueue((bytes) => this.send(bytes), (ending) => (ending === 'drop' ? this.destroy() : this.end(ending)));
    this.idle = this.timer(CONNECT_DEADLINE_MS, () => this.destroy());
    this.parser.on('packet', (packet) => this.onPacket(packet));
    this.parser.on('error', () => this.end(REASON.malformedPacket));
    ws.on('message', (data, isBinary) => {
      if (this.ended) return;
      // MQTT over WebSocket is binary frames only (MQTT 5 §6)
      if (!isBinary) return this.end(REASON.protocolError);
      this.idle.refresh();
      this.parser.parse(data as Buffer);
    });
    ws.on('close', () => this.closed());
    ws.on('error', () => this.destroy());
  }

  get clientId(): string | undefined {
    return this.clientIdHeld;
  }

  /** Sends DISCONNECT with the reason (once connected: before, the CONNACK told it) and closes. */
  end(reason: number): void {
    if (this.ended) return;
    if (this.clientIdHeld !== undefined) this.send(generate({ cmd: 'disconnect', reasonCode: reason }, V5));
    this.ended = true;
    this.ws.close();
  }

  /** Drops the connection without a word (a dropped answer, the emulator closing). */
  destroy(): void {
    this.ended = true;
    this.ws.terminate();
  }

  private onPacket(packet: Packet): void {
    if (this.ended) return;
    if (packet.cmd === 'connect') return this.onConnect(packet);
    // the first packet must be CONNECT (MQTT 5 §3.1)
    if (this.clientIdHeld === undefined) return this.destroy();
    switch (packet.cmd) {
      case 'publish':
        return this.onPublish(packet);
      case 'pingreq':
        return this.send(PINGRESP);
      case 'disconnect':
        this.ended = true;
        this.ws.close();
        return;
      case 'subscribe':
        return this.send(generate({ cmd: 'suback', messageId: packet.messageId, granted: packet.subscriptions.map(() => REASON.notAuthorized) }, V5));
      case 'unsubscribe':
        return this.send(generate({ cmd: 'unsuback', messageId: packet.messageId, granted: packet.unsubscriptions.map(() => REASON.noSubscriptionExisted) } as Packet, V5));
      default:
        // PUBACK/PUBREC/PUBREL/PUBCOMP (the gateway sends no publishes, takes no QoS 2), AUTH…
        return this.end(REASON.protocolError);
    }
  }

  private onConnect(packet: IConnectPacket): void {
    if (this.clientIdHeld !== undefined) return this.end(REASON.protocolError); // a second CONNECT
    if (packet.protocolVersion !== 5) {
      // answered in the client's own version: MQTT 3.1.1 return code 1, unacceptable protocol level
      this.send(generate({ cmd: 'connack', returnCode: 1, sessionPresent: false }, { protocolVersion: 4 }));
      return this.end(REASON.unsupportedProtocolVersion);
    }
    if (packet.clientId === '' || Buffer.byteLength(packet.clientId) > MAX_CLIENT_ID_BYTES) {
      this.send(generate({ cmd: 'connack', reasonCode: REASON.clientIdentifierNotValid, sessionPresent: false }, V5));
      return this.end(REASON.clientIdentifierNotValid);
    }
    const asked = packet.keepalive ?? 0;
    const keepalive = asked === 0 ? MAX_KEEPALIVE_S : Math.min(MAX_KEEPALIVE_S, Math.max(MIN_KEEPALIVE_S, asked));
    this.clientIdHeld = packet.clientId;
    this.registry.claim(packet.clientId, this);
    this.send(
      generate(
        {
          cmd: 'connack',
          reasonCode: REASON.success,
          sessionPresent: false,
          properties: { receiveMaximum: RECEIVE_MAXIMUM, maximumQoS: 1, ...(keepalive !== asked ? { serverKeepAlive: keepalive } : {}) },
        },
        V5,
      ),
    );
    clearTimeout(this.idle);
    // MQTT 5 §3.1.2.10: nothing heard for one and a half keepalives ends the connection
    this.idle = this.timer(keepalive * 1500, () => this.end(REASON.keepAliveTimeout));
  }

  private onPublish(packet: IPublishPacket): void {
    if (packet.qos === 2) return this.end(REASON.qosNotSupported);
    // CONNACK granted no topic aliases (Topic Alias Maximum 0)
    if (packet.properties?.topicAlias !== undefined) return this.end(REASON.topicAliasInvalid);
    let slot: PubackSlot | undefined;
    if (packet.qos === 1) {
      if (this.acks.inFlight >= RECEIVE_MAXIMUM) return this.end(REASON.receiveMaximumExceeded);
      slot = this.acks.open(packet.messageId ?? 0);
    }
    const expiry = packet.properties?.messageExpiryInterval;
    const fields = {
      topic: packet.topic,
      qos: packet.qos,
      retain: packet.retain,
      // 0 is read as "no expiry", as on the HTTP Publish
      expirySeconds: expiry === undefined || expiry === 0 ? undefined : expiry,
      payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
    };
    void this.publishes.run(fields, this.limit).then(
      (outcome) => {
        if (slot === undefined || this.ended) return;
        if ('ending' in outcome) this.acks.settleEnding(slot, outcome.ending);
        else this.acks.settle(slot, outcome.puback);
      },
      () => slot !== undefined && this.acks.settle(slot, REASON.unspecifiedError),
    );
  }

  private send(bytes: Buffer): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(bytes, { binary: true });
  }

  private timer(ms: number, fire: () => void): NodeJS.Timeout {
    const timer = setTimeout(fire, ms);
    timer.unref();
    return timer;
  }

  private closed(): void {
    this.ended = true;
    clearTimeout(this.idle);
    this.registry.release(this);
  }
}
