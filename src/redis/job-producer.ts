/**
 * Adds jobs to the pipeline's queues. Job ids make re-adds harmless: an activation or delivery job for a
 * batch that is already queued (waiting, delayed or running) is not added twice. Finished jobs are removed
 * (the batch hash is the record), so Redis does not grow with the queues.
 */
import { randomBytes } from 'node:crypto';
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { OnboardingEvent } from '../domain/onboarding-event.js';
import type { RedisConnection } from './redis-connection.js';
import { waitForReplicas } from './replica-wait.js';
import { QUEUE, type BatchJobData, type DeliveryJobData, type IntakeEventTuple, type IntakeJobData, type QueueName } from './queue-names.js';

/** Unexpected failures (Redis blip, a bug) retry by BullMQ; AWS retries are the activation job's own. */
const COMMON: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: true,
};

/** An intake is answered only once this many replicas have it (WAIT on the connection that wrote it). */
export interface IntakeDurability {
  /** the very connection given to the producer: WAIT counts the writes of its own connection */
  readonly connection: RedisConnection;
  /** any key of the fleet: routes WAIT to the node that holds the fleet's slot */
  readonly routeKey: string;
  readonly minReplicas: number;
  readonly timeoutMs: number;
}

export class JobProducer {
  readonly queues: Readonly<Record<QueueName, Queue>>;

  constructor(
    connection: ConnectionOptions,
    prefix: string,
    private readonly durability?: IntakeDurability,
  ) {
    const make = (name: QueueName): Queue => new Queue(name, { connection, prefix, skipMetasUpdate: false });
    this.queues = { intake: make(QUEUE.intake), activation: make(QUEUE.activation), delivery: make(QUEUE.delivery) };
  }

  /** One job per request, however many events; resolves once the job is in Redis. */
  async addIntake(events: readonly (OnboardingEvent & { readonly moveFrom?: string })[]): Promise<string> {
    const jobId = `in-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    const data: IntakeJobData = {
      events: events.map((e): IntakeEventTuple =>
        e.moveFrom ? [e.deviceId, e.siteId, e.thingName, e.attributes, e.reenroll ? 1 : 0, e.moveFrom] : [e.deviceId, e.siteId, e.thingName, e.attributes, e.reenroll ? 1 : 0],
      ),
    };
    // a failed intake job keeps its events for a person to see (after 8 attempts something is badly wrong)
    await this.queues.intake.add('events', data, { ...COMMON, jobId, removeOnFail: { age: 7 * 24 * 3600 } });
    const d = this.durability;
    if (d && d.minReplicas > 0) await waitForReplicas(d.connection, d.routeKey, d.minReplicas, d.timeoutMs);
    return jobId;
  }

  async addActivation(batchId: string, delayMs = 0): Promise<void> {
    const data: BatchJobData = { batchId };
    await this.queues.activation.add('batch', data, { ...COMMON, jobId: batchId, delay: delayMs });
  }

  async addDelivery(batchId: string): Promise<void> {
    const data: DeliveryJobData = { batchId };
    await this.queues.delivery.add('batch', data, { ...COMMON, jobId: `dl-${batchId}` });
  }

  /** Credentials again for devices delivered before `before` that did not ack (a lost message or ack). */
  async addRedelivery(batchId: string, before: number): Promise<void> {
    const data: DeliveryJobData = { batchId, redeliverBefore: before };
    await this.queues.delivery.add('redeliver', data, { ...COMMON, jobId: `rd-${batchId}` });
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }
}
