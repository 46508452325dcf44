/**
 * An external broker (Mosquitto…), reached through one long-lived MQTT 5 connection, so message
 * expiry travels as the messageExpiryInterval property and the broker itself honours it.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import type { MqttSink, OutgoingMessage } from './mqtt-sink.js';

export class ExternalBroker implements MqttSink {
  private constructor(
    private readonly client: MqttClient,
    readonly url: string,
  ) {}

  static async connect(url: string): Promise<ExternalBroker> {
    const client = await connectAsync(url, {
      protocolVersion: 5,
      clientId: `fleet-emulator-${randomBytes(6).toString('hex')}`,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    return new ExternalBroker(client, url);
  }

  async publish(message: OutgoingMessage): Promise<void> {
    await this.client.publishAsync(message.topic, message.payload, {
      qos: message.qos,
      retain: message.retain,
      ...(message.expirySeconds !== undefined ? { properties: { messageExpiryInterval: message.expirySeconds } } : {}),
    });
  }

  async expireRetained(): Promise<void> {
    // the broker expires retained messages itself (MQTT 5)
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
