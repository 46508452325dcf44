/**
 * Device acks from MQTT (FLEET_ACK_MQTT_URL): an MQTT 5 client subscribed to the ack topics with `+` for
 * site and thing. With several ack processes the subscription is shared (`$share/fleet-enroll/…`) so each
 * ack reaches one of them; a broker without shared subscriptions gets a plain one (every process sees every
 * ack; the ack script makes the repeats harmless — they count as stale).
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type IConnackPacket, type MqttClient } from 'mqtt';

export type AckHandler = (topic: string, payload: Buffer) => Promise<void>;

export interface AckSubscriber {
  start(handler: AckHandler): Promise<void>;
  close(): Promise<void>;
}

export const SHARE_GROUP = 'fleet-enroll';

export class MqttAckSubscriber implements AckSubscriber {
  private client: MqttClient | undefined;

  constructor(
    private readonly url: string,
    /** e.g. `fleet/enroll/+/+/ack` */
    private readonly filter: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  async start(handler: AckHandler): Promise<void> {
    const client = mqtt.connect(this.url, {
      protocolVersion: 5,
      clientId: `fleet-enroll-ack-${randomBytes(6).toString('hex')}`,
      clean: true,
      reconnectPeriod: 1_000,
    });
    this.client = client;
    const connack = await new Promise<IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    client.on('error', this.onError);
    client.on('message', (topic, payload, packet) => {
      if (packet.retain) return; // acks are never retained; a retained one is old news
      handler(topic, payload).catch(this.onError);
    });
    // CONNACK says whether the broker has shared subscriptions (MQTT 5 property; absent means it has)
    if (connack.properties?.sharedSubscriptionAvailable !== false) {
      const granted = await client.subscribeAsync(`$share/${SHARE_GROUP}/${this.filter}`, { qos: 1 });
      if (granted.every((g) => g.qos !== 128)) return;
      await client.unsubscribeAsync(`$share/${SHARE_GROUP}/${this.filter}`).catch(() => undefined);
    }
    await client.subscribeAsync(this.filter, { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
    this.client = undefined;
  }
}
