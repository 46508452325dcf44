/**
 * The device side of enrollment: waits for this thing's credentials message, registers the SSM agent once per
 * delivery, and acks. Messages are handled one at a time, so a redelivery arriving while the first copy is
 * still registering waits for it and then only re-sends the ack.
 */
import { EventEmitter } from 'node:events';
import { ValidationError } from '../domain/errors.js';
import type { AckMessage, CredentialsMessage } from '../domain/messages.js';
import { encodeAck, failedAck, registeredAck } from './ack-message.js';
import type { AgentLog } from './agent-log.js';
import { parseCredentialsMessage } from './credentials-message.js';
import type { DeliveryJournal } from './delivery-journal.js';
import type { MqttLink } from './mqtt-link.js';
import type { Registrar } from './registrar.js';
import { redact } from './secret-redactor.js';
import type { TopicTemplate } from '../domain/topics.js';

/** A delivery id as logged: its last part is the device's ack secret, so it stays out of the log. */
function shownDelivery(deliveryId: string): string {
  const dot = deliveryId.lastIndexOf('.');
  return dot > 0 && deliveryId.split('.').length > 3 ? `${deliveryId.slice(0, dot)}.…` : deliveryId;
}

export interface DeviceAgentOptions {
  readonly thingName: string;
  readonly siteId: string;
  readonly topics: { readonly credentials: TopicTemplate; readonly ack: TopicTemplate };
  readonly link: MqttLink;
  readonly registrar: Registrar;
  readonly journal: DeliveryJournal;
  readonly log: AgentLog;
  readonly now?: () => Date;
}

export type AgentOutcome =
  | { readonly kind: 'ignored'; readonly reason: 'empty' | 'other-topic' | 'invalid' }
  | { readonly kind: 'registered'; readonly deliveryId: string; readonly managedNodeId: string; readonly redelivery: boolean }
  | { readonly kind: 'failed'; readonly deliveryId: string; readonly error: string }
  /** the ack could not be published; the broker sends the retained message again on reconnect */
  | { readonly kind: 'ack-unsent'; readonly error: string };

export interface DeviceAgentEvents {
  outcome: [AgentOutcome];
}

export class DeviceAgent extends EventEmitter<DeviceAgentEvents> {
  readonly credentialsTopic: string;
  readonly ackTopic: string;
  private readonly now: () => Date;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DeviceAgentOptions) {
    super();
    const address = { siteId: options.siteId, thingName: options.thingName };
    this.credentialsTopic = options.topics.credentials.render(address);
    this.ackTopic = options.topics.ack.render(address);
    this.now = options.now ?? (() => new Date());
  }

  async start(): Promise<void> {
    this.options.link.onMessage((topic, payload) => {
      void this.handle(topic, payload);
    });
    await this.options.link.subscribe(this.credentialsTopic);
    this.options.log.info(`waiting for credentials on ${this.credentialsTopic}`);
  }

  /** Handles one message after any earlier one is done; never rejects. */
  handle(topic: string, payload: Buffer): Promise<AgentOutcome> {
    const next = this.queue.then(() => this.process(topic, payload));
    this.queue = next.catch(() => undefined);
    return next.then(
      (outcome) => {
        this.emit('outcome', outcome);
        return outcome;
      },
      (err: unknown) => {
        // only a failed ack publish (or state file write) gets here; the retained message comes again on reconnect
        const error = err instanceof Error ? err.message : String(err);
        this.options.log.error(`could not finish the delivery: ${error}`);
        const outcome: AgentOutcome = { kind: 'ack-unsent', error };
        this.emit('outcome', outcome);
        return outcome;
      },
    );
  }

  private async process(topic: string, payload: Buffer): Promise<AgentOutcome> {
    if (topic !== this.credentialsTopic) return { kind: 'ignored', reason: 'other-topic' };
    // the orchestrator clears the retained credentials after registration: nothing to do
    if (payload.length === 0) return { kind: 'ignored', reason: 'empty' };
    let credentials: CredentialsMessage;
    try {
      credentials = parseCredentialsMessage(payload);
    } catch (err) {
      return this.rejectInvalid(payload, err as ValidationError);
    }
    const code = credentials.activationCode;
    const handled = this.options.journal.find(credentials.deliveryId);
    if (handled) {
      await this.sendAck(registeredAck(credentials, handled.managedNodeId));
      this.options.log.info(`delivery ${shownDelivery(credentials.deliveryId)} was already registered as ${handled.managedNodeId}: ack re-sent`);
      return { kind: 'registered', deliveryId: credentials.deliveryId, managedNodeId: handled.managedNodeId, redelivery: true };
    }
    this.options.log.info(`credentials received: delivery ${shownDelivery(credentials.deliveryId)}, activation ${credentials.activationId}; registering`);
    let managedNodeId: string;
    try {
      managedNodeId = await this.options.registrar.register(credentials, this.options.thingName);
    } catch (err) {
      const error = redact(err instanceof Error ? err.message : String(err), [code]);
      this.options.log.error(`registration failed for delivery ${shownDelivery(credentials.deliveryId)}: ${error}`);
      await this.sendAck(failedAck(credentials, error));
      return { kind: 'failed', deliveryId: credentials.deliveryId, error };
    }
    // journal before ack: if the ack is lost, the redelivery finds the journal and only re-acks
    await this.options.journal.record({
      deliveryId: credentials.deliveryId,
      activationId: credentials.activationId,
      managedNodeId,
      at: this.now().toISOString(),
    });
    await this.sendAck(registeredAck(credentials, managedNodeId));
    this.options.log.info(`registered as ${managedNodeId}; ack sent on ${this.ackTopic}`);
    return { kind: 'registered', deliveryId: credentials.deliveryId, managedNodeId, redelivery: false };
  }

  /** A message we cannot use: ack `failed` if it says which delivery it was, so the orchestrator sees why. */
  private async rejectInvalid(payload: Buffer, err: ValidationError): Promise<AgentOutcome> {
    let ids: { deliveryId?: unknown; activationId?: unknown; activationCode?: unknown } = {};
    try {
      ids = JSON.parse(payload.toString('utf8')) as typeof ids;
    } catch {
      // not JSON: nothing to ack
    }
    const secrets = typeof ids.activationCode === 'string' ? [ids.activationCode] : [];
    const error = redact(err.message, secrets);
    this.options.log.warn(`ignoring a credentials message: ${error}`);
    if (typeof ids.deliveryId === 'string' && typeof ids.activationId === 'string' && ids.deliveryId && ids.activationId) {
      await this.sendAck(failedAck({ deliveryId: ids.deliveryId, activationId: ids.activationId }, error));
      return { kind: 'failed', deliveryId: ids.deliveryId, error };
    }
    return { kind: 'ignored', reason: 'invalid' };
  }

  private async sendAck(ack: AckMessage): Promise<void> {
    await this.options.link.publish(this.ackTopic, encodeAck(ack), { qos: 1 });
  }
}
