/**
 * MqttLink over mqtt.js: plain MQTT for local brokers, or MQTT over TLS with a client certificate for
 * AWS IoT Core (mqtts://<endpoint>:8883, client id = thing name). Reconnects by itself; the subscription
 * is renewed on reconnect, and the broker then sends the retained credentials again.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { DeviceError } from './device-errors.js';
import type { AgentLog } from './agent-log.js';
import type { MessageHandler, MqttLink, PublishOptions } from './mqtt-link.js';

export interface MqttConnectionOptions {
  readonly url: string;
  readonly clientId: string;
  /** PEM client certificate, private key and CA (AWS IoT: the device's cert + key, Amazon Root CA) */
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly ca?: Buffer;
  readonly log?: AgentLog;
  /** give up when the first connection takes longer; unset = keep trying (a device may boot before its network) */
  readonly connectTimeoutMs?: number;
}

export class MqttConnection implements MqttLink {
  private constructor(private readonly client: MqttClient) {}

  static connect(options: MqttConnectionOptions): Promise<MqttConnection> {
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      clean: true,
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
      ...(options.cert ? { cert: options.cert } : {}),
      ...(options.key ? { key: options.key } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
    };
    const client = mqtt.connect(options.url, clientOptions);
    const log = options.log;
    return new Promise((resolve, reject) => {
      let connected = false;
      const timer =
        options.connectTimeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              client.end(true);
              reject(new DeviceError('BROKER_UNREACHABLE', `MQTT broker ${redactUrl(options.url)} not reachable within ${options.connectTimeoutMs} ms`));
            }, options.connectTimeoutMs);
      client.on('connect', () => {
        if (!connected) {
          connected = true;
          if (timer) clearTimeout(timer);
          log?.info(`connected to ${redactUrl(options.url)} as ${options.clientId}`);
          resolve(new MqttConnection(client));
        } else {
          log?.info(`reconnected to ${redactUrl(options.url)}`);
        }
      });
      client.on('error', (err) => log?.warn(`MQTT: ${err.message}`));
      client.on('offline', () => log?.warn('MQTT connection lost; reconnecting'));
    });
  }

  async subscribe(filter: string): Promise<void> {
    const grants = await this.client.subscribeAsync(filter, { qos: 1 });
    const refused = grants.find((g) => g.qos === 128);
    if (refused) throw new DeviceError('SUBSCRIPTION_REFUSED', `MQTT broker refused the subscription to ${filter}`);
  }

  async publish(topic: string, payload: string, options: PublishOptions): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: options.qos, retain: options.retain ?? false });
  }

  onMessage(handler: MessageHandler): void {
    this.client.on('message', (topic, payload) => handler(topic, payload));
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** A broker URL may carry a password (mqtt://user:pass@host): never log it. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
