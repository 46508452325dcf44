/**
 * Device acks from MQTT (FLEET_ACK_MQTT_URL): an MQTT 5 client subscribed to the ack topics with `+` for
 * site and thing. With several ack processes the subscription is shared (`$share/fleet-enroll/…`) so each
 * ack reaches one of them; a broker without shared subscriptions gets a plain one (every process sees every
 * ack; the ack script makes the repeats harmless — they count as stale).
 * With a session (a client id that stays the same across restarts) the client connects with `clean: false`
 * and, on MQTT 5, a session expiry interval: the broker keeps the QoS 1 subscription while the process is
 * down and hands over the acks published meanwhile when it is back.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type IConnackPacket, type MqttClient } from 'mqtt';

export type AckHandler = (topic: string, payload: Buffer) => Promise<void>;

export interface AckSubscriber {
  start(handler: AckHandler): Promise<void>;
  close(): Promise<void>;
}

export const SHARE_GROUP = 'fleet-enroll';

export interface AckSession {
  /** the same after a restart, unique among the ack processes running at once */
  readonly clientId: string;
  /** how long the broker keeps the session of a subscriber that is away (MQTT 5; 3.1.1 brokers keep it by their own rule) */
  readonly expirySeconds: number;
}

/** CONNACK return code 1 (3.1.1) or reason 132 (5): the broker does not speak the version asked for */
function refusedProtocolVersion(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 1 || code === 132 || /protocol version/i.test(String((err as Error).message));
}

export class MqttAckSubscriber implements AckSubscriber {
  private client: MqttClient | undefined;

  constructor(
    private readonly url: string,
    /** e.g. `fleet/enroll/+/+/ack` */
    private readonly filter: string,
    private readonly onError: (err: unknown) => void,
    /** absent: a clean session with a random client id (acks sent while it is down come only by redelivery) */
    private readonly session?: AckSession,
  ) {}

  async start(handler: AckHandler): Promise<void> {
    const connected = await this.connect(5, handler).catch((err: unknown) => {
      // a broker that speaks only MQTT 3.1.1 (e.g. aedes) refuses version 5: speak 3.1.1 to it, unshared
      if (!refusedProtocolVersion(err)) throw err;
      return this.connect(4, handler);
    });
    const { client, connack } = connected;
    client.on('error', this.onError);
    // CONNACK says whether the broker has shared subscriptions (MQTT 5 property; absent means it has)
    if (connected.version === 5 && connack.properties?.sharedSubscriptionAvailable !== false) {
      const granted = await client.subscribeAsync(`$share/${SHARE_GROUP}/${this.filter}`, { qos: 1 });
      if (granted.every((g) => g.qos !== 128)) return;
      await client.unsubscribeAsync(`$share/${SHARE_GROUP}/${this.filter}`).catch(() => undefined);
    }
    await client.subscribeAsync(this.filter, { qos: 1 });
  }

  private async connect(version: 4 | 5, handler: AckHandler): Promise<{ client: MqttClient; connack: IConnackPacket; version: 4 | 5 }> {
    const client = mqtt.connect(this.url, {
      protocolVersion: version,
      clientId: this.session?.clientId ?? `fleet-enroll-ack-${randomBytes(6).toString('hex')}`,
      clean: this.session === undefined,
      ...(this.session && version === 5 ? { properties: { sessionExpiryInterval: this.session.expirySeconds } } : {}),
      reconnectPeriod: 1_000,
    });
    this.client = client;
    // before CONNACK: a resumed session's queued acks can arrive in the same read as the CONNACK itself.
    // PUBACK goes at once (handled in order it would cap acks/s at one script call each); an ack in hand
    // when the process dies comes back by redelivery.
    client.on('message', (topic, payload, packet) => {
      if (packet.retain) return; // acks are never retained; a retained one is old news
      handler(topic, payload).catch(this.onError);
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
    await this.client?.endAsync();
    this.client = undefined;
  }
}
