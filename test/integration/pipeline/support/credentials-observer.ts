/**
 * A plain MQTT subscriber on the test's topic root: records every credentials message (topic, payload) so
 * tests can check who got what, collect the activation codes of the run, and see retained leftovers.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { parseTopic, renderTopic, topicFilter } from '../../../../src/domain/topics.js';
import { clearRetained, readRetained } from '../../../support/retained.js';
import type { CredentialsMessage } from '../../../../src/domain/messages.js';

export interface ObservedCredentials {
  readonly topicSiteId: string;
  readonly topicThingName: string;
  readonly message: CredentialsMessage;
}

export class CredentialsObserver {
  readonly received: ObservedCredentials[] = [];
  readonly codes = new Set<string>();

  private constructor(
    private readonly client: MqttClient,
    private readonly template: string,
  ) {}

  static async start(url: string, credentialsTemplate: string): Promise<CredentialsObserver> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true });
    const observer = new CredentialsObserver(client, credentialsTemplate);
    client.on('message', (topic, payload) => observer.onMessage(topic, payload));
    // QoS 0: a broker drops QoS 1 messages past its per-client queue (Mosquitto: 1,000) when the reader lags under load
    await client.subscribeAsync(credentialsTemplate.replace('{siteId}', '+').replace('{thingName}', '+'), { qos: 0 });
    return observer;
  }

  private onMessage(topic: string, payload: Buffer): void {
    const where = parseTopic(this.template, topic);
    if (!where || payload.length === 0) return;
    const message = JSON.parse(payload.toString('utf8')) as CredentialsMessage;
    this.codes.add(message.activationCode);
    this.received.push({ topicSiteId: where.siteId, topicThingName: where.thingName, message });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** Retained messages still held by the broker under the template's topics (a fresh subscriber gets them). */
export async function retainedLeft(url: string, credentialsTemplate: string): Promise<string[]> {
  return (await readRetained(url, topicFilter(credentialsTemplate), markerTopic(credentialsTemplate))).map((m) => m.topic);
}

/** Clears every retained message under the template's topics (what a test leaves must not stay on a shared broker). */
export async function clearRetainedUnder(url: string, credentialsTemplate: string): Promise<void> {
  await clearRetained(url, await retainedLeft(url, credentialsTemplate));
}

/** a topic the template's filter matches and no device uses */
function markerTopic(template: string): string {
  return renderTopic(template, { siteId: 'retained-probe', thingName: `probe-${randomBytes(4).toString('hex')}` });
}
