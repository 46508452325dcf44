/**
 * Many simulated devices behind a few shared MQTT connections. Each connection subscribes to
 * `…/{siteId}/+/activation` for its share of the sites; every credentials message is one device:
 * it registers through the emulator's registration route (bounded concurrency, keep-alive sockets)
 * and acks on its own ack topic. No timers per device; state is kept only for deliveries not yet
 * cleared by the orchestrator (the empty retained message drops it).
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_TOPICS, type AckMessage, type CredentialsMessage, type TopicTemplates } from '../../domain/messages.js';
import { encodeAck, failedAck, registeredAck } from '../ack-message.js';
import { parseCredentialsMessage } from '../credentials-message.js';
import { MqttConnection } from '../mqtt-connection.js';
import type { MqttLink } from '../mqtt-link.js';
import { RegistrationError } from '../registrar.js';
import { TopicTemplate, type TopicParams } from '../../domain/topics.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { BehaviourPicker, type DeviceBehaviour, type MisbehaviourFractions } from './device-behaviour.js';
import { EmulatorRegistrationClient } from './emulator-registration-client.js';

export interface DeviceSimulatorOptions extends MisbehaviourFractions {
  /** broker the orchestrator publishes credentials to (the emulator's embedded one, or Mosquitto) */
  readonly mqttUrl: string;
  /** base URL of the emulator, for POST /emulator/register */
  readonly emulatorUrl: string;
  /** sites whose devices are simulated */
  readonly sites: readonly string[];
  readonly topics?: TopicTemplates;
  /** MQTT connections shared by all devices; sites are spread over them (default min(sites, 4)) */
  readonly connections?: number;
  /** registrations in flight at once (default 64) */
  readonly concurrency?: number;
  /** attempts per registration on transient errors (5xx, connection reset) before acking failed (default 3) */
  readonly registerAttempts?: number;
  /** MQTT client ids are `<prefix>-<n>` (default `fleet-sim-<random>`) */
  readonly clientIdPrefix?: string;
  readonly now?: () => number;
}

export interface SimulatedDelivery extends TopicParams {
  readonly deviceId: string;
  readonly deliveryId: string;
  /** ms epoch when the credentials message arrived */
  readonly receivedAt: number;
}

export interface SimulatorCounters {
  /** distinct deliveries received */
  credentials: number;
  /** copies of a delivery already being handled or handled (answered by re-sending the ack) */
  redeliveries: number;
  registered: number;
  /** first acks published (PUBACK received), by status */
  ackedRegistered: number;
  ackedFailed: number;
  /** acks published again (PUBACK received), answering a redelivery of a delivery already acked */
  ackRepeats: number;
  /** registrations refused or broken, acks that could not be published, unusable messages */
  failures: number;
  /** empty retained messages: the orchestrator cleared a device's credentials */
  cleared: number;
}

export interface DeviceSimulatorEvents {
  credentials: [SimulatedDelivery];
  registered: [SimulatedDelivery & { readonly managedNodeId: string; readonly at: number }];
  acked: [SimulatedDelivery & { readonly status: AckMessage['status']; readonly at: number }];
  failure: [{ readonly thingName: string; readonly siteId: string; readonly deliveryId?: string; readonly error: string }];
}

const enum Stage {
  Registering,
  Registered,
  FailedAcked,
  Silent,
}

/** What is kept per uncleared delivery: a few fields, no closures or timers. */
interface Slot {
  deliveryId: string;
  stage: Stage;
  managedNodeId: string | undefined;
  activationId: string;
}

export class DeviceSimulator extends EventEmitter<DeviceSimulatorEvents> {
  readonly counters: SimulatorCounters = {
    credentials: 0,
    redeliveries: 0,
    registered: 0,
    ackedRegistered: 0,
    ackedFailed: 0,
    ackRepeats: 0,
    failures: 0,
    cleared: 0,
  };

  private readonly credentialsTopic: TopicTemplate;
  private readonly ackTopic: TopicTemplate;
  private readonly sites: ReadonlySet<string>;
  private readonly gate: ConcurrencyGate;
  private readonly registration: EmulatorRegistrationClient;
  private readonly behaviour: BehaviourPicker;
  private readonly now: () => number;
  private readonly slots = new Map<string, Slot>();
  private links: MqttLink[] = [];

  constructor(private readonly options: DeviceSimulatorOptions) {
    super();
    if (options.sites.length === 0) throw new RangeError('sites: at least one site is needed');
    const topics = options.topics ?? DEFAULT_TOPICS;
    this.credentialsTopic = new TopicTemplate(topics.credentials, 'topics.credentials');
    this.ackTopic = new TopicTemplate(topics.ack, 'topics.ack');
    this.sites = new Set(options.sites);
    const concurrency = options.concurrency ?? 64;
    this.gate = new ConcurrencyGate(concurrency);
    this.registration = new EmulatorRegistrationClient(options.emulatorUrl, concurrency);
    this.behaviour = new BehaviourPicker(options);
    this.now = options.now ?? Date.now;
  }

  /** Deliveries received but not yet cleared by the orchestrator. */
  get inFlight(): number {
    return this.slots.size;
  }

  /** Connects and subscribes; retained credentials already waiting arrive right after. */
  async start(): Promise<void> {
    const count = Math.max(1, Math.min(this.options.connections ?? 4, this.options.sites.length));
    const prefix = this.options.clientIdPrefix ?? `fleet-sim-${Math.random().toString(36).slice(2, 8)}`;
    this.links = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        // MQTT 5's largest Receive Maximum: each link stands for many devices, each of which would have a connection (and a broker queue) of its own
        MqttConnection.connect({ url: this.options.mqttUrl, clientId: `${prefix}-${i}`, connectTimeoutMs: 10_000, receiveMaximum: 65_535, gatherWritesMs: 5 }),
      ),
    );
    await Promise.all(
      this.links.map((link, i) => {
        link.onMessage((topic, payload) => this.onMessage(link, topic, payload));
        const mine = this.options.sites.filter((_, s) => s % count === i);
        return Promise.all(mine.map((site) => link.subscribe(this.credentialsTopic.siteFilter(site))));
      }),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.links.map((l) => l.close()));
    this.links = [];
    this.registration.close();
  }

  private onMessage(link: MqttLink, topic: string, payload: Buffer): void {
    const address = this.credentialsTopic.parse(topic);
    if (!address || !this.sites.has(address.siteId)) return;
    if (payload.length === 0) {
      if (this.slots.delete(topic)) this.counters.cleared++;
      return;
    }
    let credentials: CredentialsMessage;
    try {
      credentials = parseCredentialsMessage(payload);
    } catch (err) {
      this.fail({ ...address, error: (err as Error).message });
      return;
    }
    const slot = this.slots.get(topic);
    if (slot && slot.deliveryId === credentials.deliveryId) {
      this.counters.redeliveries++;
      this.answerRedelivery(link, address, slot, credentials);
      return;
    }
    const receivedAt = this.now();
    const delivery: SimulatedDelivery = { ...address, deviceId: credentials.deviceId, deliveryId: credentials.deliveryId, receivedAt };
    this.counters.credentials++;
    this.emit('credentials', delivery);
    const behaviour = this.behaviour.pick(address.thingName);
    this.slots.set(topic, {
      deliveryId: credentials.deliveryId,
      activationId: credentials.activationId,
      managedNodeId: undefined,
      stage: behaviour === 'silent' ? Stage.Silent : Stage.Registering,
    });
    if (behaviour === 'silent') return;
    void this.handle(link, topic, delivery, credentials, behaviour);
  }

  private async handle(
    link: MqttLink,
    topic: string,
    delivery: SimulatedDelivery,
    credentials: CredentialsMessage,
    behaviour: DeviceBehaviour,
  ): Promise<void> {
    if (behaviour === 'fail-ack') {
      this.setStage(topic, credentials.deliveryId, Stage.FailedAcked);
      await this.ack(link, delivery, failedAck(credentials, 'simulated device failure'));
      return;
    }
    let managedNodeId: string;
    try {
      managedNodeId = await this.gate.run(() => this.registerWithRetries(credentials, delivery.thingName));
    } catch (err) {
      const error = (err as Error).message;
      // forget the delivery, so that a redelivery of it is tried again like a real agent would
      if (this.slots.get(topic)?.deliveryId === credentials.deliveryId) this.slots.delete(topic);
      this.fail({ ...delivery, error });
      await this.ack(link, delivery, failedAck(credentials, error));
      return;
    }
    const slot = this.setStage(topic, credentials.deliveryId, Stage.Registered);
    if (slot) slot.managedNodeId = managedNodeId;
    this.counters.registered++;
    this.emit('registered', { ...delivery, managedNodeId, at: this.now() });
    if (behaviour === 'never-ack') return;
    await this.ack(link, delivery, registeredAck(credentials, managedNodeId));
  }

  private async registerWithRetries(credentials: CredentialsMessage, hostname: string): Promise<string> {
    const attempts = this.options.registerAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.registration.register({
          activationId: credentials.activationId,
          activationCode: credentials.activationCode,
          hostname,
        });
      } catch (err) {
        if (!(err instanceof RegistrationError) || err.permanent || attempt >= attempts) throw err;
        await sleep(Math.random() * 100 * 2 ** attempt);
      }
    }
  }

  private answerRedelivery(link: MqttLink, address: TopicParams, slot: Slot, credentials: CredentialsMessage): void {
    const delivery = { ...address, deviceId: credentials.deviceId, deliveryId: slot.deliveryId, receivedAt: this.now() };
    if (slot.stage === Stage.Registered && slot.managedNodeId && this.behaviour.pick(address.thingName) !== 'never-ack') {
      void this.ack(link, delivery, registeredAck(credentials, slot.managedNodeId), false);
    } else if (slot.stage === Stage.FailedAcked) {
      void this.ack(link, delivery, failedAck(credentials, 'simulated device failure'), false);
    }
    // still registering: its ack follows; silent: stays silent
  }

  private setStage(topic: string, deliveryId: string, stage: Stage): Slot | undefined {
    const slot = this.slots.get(topic);
    if (!slot || slot.deliveryId !== deliveryId) return undefined;
    slot.stage = stage;
    return slot;
  }

  private async ack(link: MqttLink, delivery: SimulatedDelivery, ack: AckMessage, first = true): Promise<void> {
    try {
      await link.publish(this.ackTopic.render(delivery), encodeAck(ack), { qos: 1 });
    } catch (err) {
      this.fail({ ...delivery, error: `ack not published: ${(err as Error).message}` });
      return;
    }
    if (!first) {
      this.counters.ackRepeats++;
      return;
    }
    if (ack.status === 'registered') this.counters.ackedRegistered++;
    else this.counters.ackedFailed++;
    this.emit('acked', { ...delivery, status: ack.status, at: this.now() });
  }

  private fail(failure: { thingName: string; siteId: string; deliveryId?: string; error: string }): void {
    this.counters.failures++;
    this.emit('failure', {
      thingName: failure.thingName,
      siteId: failure.siteId,
      ...(failure.deliveryId ? { deliveryId: failure.deliveryId } : {}),
      error: failure.error,
    });
  }
}
