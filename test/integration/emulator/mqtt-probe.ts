/**
 * Test support: an MQTT subscriber that can tell "no retained message" without waiting on a timer.
 * After subscribing it publishes a marker to itself; a broker sends retained messages right after
 * SUBACK, so everything retained has arrived once the marker does.
 */
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';

export interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
  readonly expiry: number | undefined;
}

export class MqttProbe {
  readonly messages: Received[] = [];
  private waiters: { topic: string; resolve: (m: Received) => void }[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet: IPublishPacket) => {
      const message = { topic, payload: payload.toString(), retain: packet.retain, expiry: packet.properties?.messageExpiryInterval };
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => (w.topic === topic ? (w.resolve(message), false) : true));
    });
  }

  static async connect(url: string, protocolVersion: 4 | 5): Promise<MqttProbe> {
    const client = await connectAsync(url, { protocolVersion, clientId: `probe-${randomBytes(5).toString('hex')}`, clean: true, reconnectPeriod: 0 });
    return new MqttProbe(client);
  }

  /** Subscribes to `filter` (QoS 1) and resolves once every retained message under it has arrived. */
  async subscribeAndSettle(filter: string, markerTopic: string): Promise<Received[]> {
    const before = this.messages.length;
    await this.client.subscribeAsync([filter, markerTopic], { qos: 1 });
    const marker = this.next(markerTopic);
    await this.client.publishAsync(markerTopic, 'marker', { qos: 1 });
    await marker;
    return this.messages.slice(before).filter((m) => m.topic !== markerTopic);
  }

  next(topic: string): Promise<Received> {
    return new Promise((resolve) => this.waiters.push({ topic, resolve }));
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
