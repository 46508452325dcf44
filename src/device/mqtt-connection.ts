/**
 * MqttLink over mqtt.js: plain MQTT for local brokers, or MQTT over TLS with a client certificate for
 * AWS IoT Core (mqtts://<endpoint>:8883, client id = thing name). Reconnects by itself; the subscription
 * is renewed on reconnect, and the broker then sends the retained credentials again.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { refusedProtocolVersion } from '../domain/mqtt-protocol-refusal.js';
import { gatherWrites } from '../mqtt/write-gathering.js';
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
  /**
   * MQTT 5 with this Receive Maximum, for a link that carries many devices' messages (the simulator): the broker
   * puts that many in flight instead of queueing them past its per-client limit (Mosquitto: 20 in flight, 1,000
   * queued, the rest dropped). MQTT 3.1.1 again where the broker speaks only that (aedes). Unset: MQTT 3.1.1.
   */
  readonly receiveMaximum?: number;
  /** the packets sent within this many ms go out in one write (a link for many devices); unset: each at once */
  readonly gatherWritesMs?: number;
}

export class MqttConnection implements MqttLink {
  private constructor(private readonly client: MqttClient) {}

  static async connect(options: MqttConnectionOptions): Promise<MqttConnection> {
    if (options.receiveMaximum === undefined) return MqttConnection.open(options);
    return MqttConnection.open(options).catch((err: unknown) => {
      if (!refusedProtocolVersion(err)) throw err;
      const { receiveMaximum: _v5only, ...v4 } = options;
      return MqttConnection.open(v4);
    });
  }

  private static open(options: MqttConnectionOptions): Promise<MqttConnection> {
    const v5 = options.receiveMaximum !== undefined;
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      clean: true,
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
      ...(v5 ? { protocolVersion: 5, properties: { receiveMaximum: options.receiveMaximum } } : {}),
      ...(options.cert ? { cert: options.cert } : {}),
      ...(options.key ? { key: options.key } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
    };
    const client = mqtt.connect(options.url, clientOptions);
    if (options.gatherWritesMs !== undefined) gatherWrites(client, options.gatherWritesMs);
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
      client.on('error', (err) => {
        if (!connected && v5 && refusedProtocolVersion(err)) {
          // the broker speaks only MQTT 3.1.1: the caller connects again with that
          if (timer) clearTimeout(timer);
          client.end(true);
          reject(err);
          return;
        }
        log?.warn(`MQTT: ${err.message}`);
      });
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

  /** the MQTT version the broker took: 5 when asked for with a Receive Maximum and spoken, else 4 (3.1.1) */
  get protocolVersion(): 4 | 5 {
    return this.client.options.protocolVersion === 5 ? 5 : 4;
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
