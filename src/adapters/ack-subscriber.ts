/**
 * Device acks from MQTT (FLEET_ACK_MQTT_URL): an MQTT 5 client subscribed to the ack topics with `+` for
 * site and thing. With several ack processes the subscription is shared (`$share/fleet-enroll/…`) so each
 * ack reaches one of them; a broker without shared subscriptions gets a plain one (every process sees every
 * ack; the ack script makes the repeats harmless — they count as stale).
 *
 * With a session (a client id that stays the same across restarts) a second client keeps a persistent
 * session (`clean: false`, MQTT 5 session expiry, QoS 1) subscribed in a share group of its own: while the
 * process is down the broker queues the acks for it, and after a restart it hands them over. Only then
 * (for a catch-up window) are that client's messages handled; while the process runs, the live client
 * handles every ack and the session client's copies are dropped. Why two clients: a broker bounds the
 * queue of a persistent session (Mosquitto: max_queued_messages, 1000) and drops past it even while the
 * client is connected, so a burst of acks through a persistent session alone loses acks.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import { refusedProtocolVersion } from '../domain/mqtt-protocol-refusal.js';
import { gatherWrites } from '../mqtt/write-gathering.js';

export type AckHandler = (topic: string, payload: Buffer) => Promise<void>;

export interface AckSubscriber {
  start(handler: AckHandler): Promise<void>;
  close(): Promise<void>;
}

export const SHARE_GROUP = 'fleet-enroll';
/** the share group of the persistent sessions: each ack is queued for one of them */
export const SESSION_SHARE_GROUP = 'fleet-enroll-session';

export interface AckSession {
  /** the same after a restart, unique among the ack processes running at once */
  readonly clientId: string;
  /** how long the broker keeps the session of a subscriber that is away (MQTT 5; 3.1.1 brokers keep it by their own rule) */
  readonly expirySeconds: number;
  /** after a resumed session: handle its messages until none came for this long (default 2 s) */
  readonly quietMs?: number;
  /** … or at most this long (default 60 s) */
  readonly catchUpMaxMs?: number;
}


type OnMessage = (topic: string, payload: Buffer) => void;

const noLog = (): void => undefined;

/** MQTT 5's largest Receive Maximum: acks in flight to us at once */
const RECEIVE_MAXIMUM = 65_535;
/** the PUBACKs of a burst of acks go out together after this long (they hold nothing up: Receive Maximum) */
const PUBACK_GATHER_MS = 10;

export class MqttAckSubscriber implements AckSubscriber {
  private client: MqttClient | undefined;
  private sessionClient: MqttClient | undefined;
  private catchUpTimer: NodeJS.Timeout | undefined;
  /** acks the session client handed over after a restart (tests and logs) */
  caughtUp = 0;

  constructor(
    private readonly url: string,
    /** e.g. `fleet/enroll/+/+/ack` */
    private readonly filter: string,
    private readonly onError: (err: unknown) => void,
    /** absent: no persistent session (acks sent while the process is down come only by redelivery) */
    private readonly session?: AckSession,
  ) {}

  async start(handler: AckHandler): Promise<void> {
    const handle: OnMessage = (topic, payload) => void handler(topic, payload).catch(this.onError);
    const live = await this.connectAny({ clientId: `fleet-enroll-ack-${randomBytes(6).toString('hex')}`, clean: true }, handle);
    this.client = live.client;
    await this.subscribe(live, SHARE_GROUP);
    if (this.session) await this.startSession(this.session, handler);
  }

  private async startSession(session: AckSession, handler: AckHandler): Promise<void> {
    let catchingUp = false;
    let until = 0;
    const quietMs = session.quietMs ?? 2_000;
    const endCatchUp = (): void => {
      catchingUp = false;
      clearTimeout(this.catchUpTimer);
    };
    const onMessage: OnMessage = (topic, payload) => {
      if (!catchingUp) return; // the live client has this one
      this.caughtUp++;
      handler(topic, payload).catch(this.onError);
      clearTimeout(this.catchUpTimer);
      this.catchUpTimer = setTimeout(endCatchUp, Math.max(0, Math.min(quietMs, until - Date.now())));
    };
    const connected = await this.connectAny(
      { clientId: session.clientId, clean: false, properties: { sessionExpiryInterval: session.expirySeconds } },
      onMessage,
      (connack) => {
        // a resumed session holds what was queued while the process was away: handle it
        if (!connack.sessionPresent) return;
        catchingUp = true;
        until = Date.now() + (session.catchUpMaxMs ?? 60_000);
        this.catchUpTimer = setTimeout(endCatchUp, quietMs);
      },
    );
    this.sessionClient = connected.client;
    await this.subscribe(connected, SESSION_SHARE_GROUP);
  }

  /** MQTT 5, or 3.1.1 for a broker that speaks only that (e.g. aedes) */
  private async connectAny(
    options: IClientOptions,
    onMessage: OnMessage,
    onConnack?: (connack: IConnackPacket) => void,
  ): Promise<{ client: MqttClient; connack: IConnackPacket; version: 4 | 5 }> {
    const connected = await this.connect(5, options, onMessage, onConnack).catch((err: unknown) => {
      if (!refusedProtocolVersion(err)) throw err;
      const { properties: _v5only, ...v4 } = options;
      return this.connect(4, v4, onMessage, onConnack);
    });
    connected.client.on('error', this.onError);
    return connected;
  }

  private async subscribe(connected: { client: MqttClient; connack: IConnackPacket; version: 4 | 5 }, group: string): Promise<void> {
    const { client, connack, version } = connected;
    // CONNACK says whether the broker has shared subscriptions (MQTT 5 property; absent means it has)
    if (version === 5 && connack.properties?.sharedSubscriptionAvailable !== false) {
      const granted = await client.subscribeAsync(`$share/${group}/${this.filter}`, { qos: 1 });
      if (granted.every((g) => g.qos !== 128)) return;
      await client.unsubscribeAsync(`$share/${group}/${this.filter}`).catch(() => undefined);
    }
    await client.subscribeAsync(this.filter, { qos: 1 });
  }

  private async connect(
    version: 4 | 5,
    options: IClientOptions,
    onMessage: OnMessage,
    onConnack?: (connack: IConnackPacket) => void,
  ): Promise<{ client: MqttClient; connack: IConnackPacket; version: 4 | 5 }> {
    // MQTT 5: a large Receive Maximum lets the broker put a burst of acks in flight to us at once. With the
    // default (Mosquitto: 20 in flight) the rest waits in the broker's per-client queue (max_queued_messages,
    // 1,000) and what overflows it is dropped whenever this process is busy for a moment.
    const properties = version === 5 ? { ...options.properties, receiveMaximum: RECEIVE_MAXIMUM } : undefined;
    // log: mqtt.js otherwise calls its `debug` logger a few times per packet, disabled or not (~1 % of the ack role's CPU)
    const client = mqtt.connect(this.url, { ...options, ...(properties ? { properties } : {}), protocolVersion: version, reconnectPeriod: 1_000, log: noLog });
    // before CONNACK: a resumed session's queued acks can arrive in the same read as the CONNACK itself.
    if (onConnack) client.on('connect', onConnack);
    gatherWrites(client, PUBACK_GATHER_MS);
    client.on('message', (topic, payload, packet) => {
      if (packet.retain) return; // acks are never retained; a retained one is old news
      onMessage(topic, payload);
    });
    try {
      const connack = await new Promise<IConnackPacket>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('error', reject);
      });
      return { client, connack, version };
    } catch (err) {
      await client.endAsync(true).catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.catchUpTimer);
    await Promise.all([this.client?.endAsync(), this.sessionClient?.endAsync()]);
    this.client = undefined;
    this.sessionClient = undefined;
  }
}
