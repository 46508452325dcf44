/**
 * Publishes each activated device of a batch its credentials on its own topic (retained, QoS 1, expiring
 * with the activation), a bounded number at a time under the global publish rate, then marks it
 * `delivered`. Re-running for the same batch republishes the same message: harmless.
 */
import type { Logger } from 'pino';
import type { CodeCipher } from '../adapters/code-cipher.js';
import type { DeliverySigner } from '../adapters/delivery-signer.js';
import type { IotPublisher } from '../adapters/iot-publisher.js';
import type { Metrics } from '../adapters/metrics.js';
import type { RateLimiter } from '../adapters/rate-limiter.js';
import type { CredentialsMessage, TopicTemplates } from '../domain/messages.js';
import { renderTopic } from '../domain/topics.js';
import type { BatchStore } from '../redis/batch-store.js';
import type { DeviceStore } from '../redis/device-store.js';
import type { DeviceDeliveryView } from '../redis/records.js';

export const IOT_PUBLISH_BUCKET = 'iot-publish';

/** the store calls a delivery makes (narrow ports: the specs hand in in-memory ones) */
export type DeliveryBatches = Pick<BatchStore, 'get' | 'deviceIds' | 'markDelivered'>;
export type DeliveryDevices = Pick<DeviceStore, 'deliveryViews' | 'markDelivered'>;

export interface DeliveryDeps {
  readonly batches: DeliveryBatches;
  readonly devices: DeliveryDevices;
  readonly publisher: Pick<IotPublisher, 'publishRetained'>;
  readonly cipher: CodeCipher;
  /** makes each device's delivery id a secret of its own message */
  readonly signer: DeliverySigner;
  readonly limiter: RateLimiter;
  readonly topics: TopicTemplates;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** publishes in flight at once */
  readonly concurrency?: number;
  readonly clock?: () => number;
}

export class DeliveryService {
  private readonly now: () => number;
  private readonly chunk: number;

  constructor(private readonly deps: DeliveryDeps) {
    this.now = deps.clock ?? Date.now;
    this.chunk = deps.concurrency ?? 256;
  }

  /**
   * Publishes to the batch's `activated` devices, and with `redeliverBefore` also to devices `delivered`
   * before then without an ack: the same message again (same delivery id), which a device answers by
   * sending its ack again — so an ack lost on the way (or sent while no ack subscriber ran) is recovered.
   * Returns how many devices got their credentials now.
   */
  async deliver(batchId: string, redeliverBefore?: number): Promise<number> {
    const { batches, devices, metrics } = this.deps;
    const batch = await batches.get(batchId);
    if (!batch || batch.state !== 'active' || !batch.sealedCode || !batch.activationId || batch.expiresAt === null) return 0;
    const code = this.deps.cipher.open(batch.sealedCode, batchId);
    const records = await devices.deliveryViews(await batches.deviceIds(batchId));
    const due = (d: DeviceDeliveryView): boolean =>
      d.state === 'activated' || (redeliverBefore !== undefined && d.state === 'delivered' && (d.times.delivered ?? 0) <= redeliverBefore);
    const targets = records.filter((d): d is DeviceDeliveryView => d !== null && d.batchId === batchId && due(d));
    const expiresAt = new Date(batch.expiresAt).toISOString();
    let delivered = 0;
    let failure: unknown;
    for (let i = 0; i < targets.length; i += this.chunk) {
      const chunk = targets.slice(i, i + this.chunk);
      await this.deps.limiter.take(IOT_PUBLISH_BUCKET, chunk.length);
      const results = await Promise.allSettled(
        chunk.map((d) => {
          const message: CredentialsMessage = {
            v: 1,
            deliveryId: this.deps.signer.sign(d.deliveryId!),
            deviceId: d.deviceId,
            siteId: d.siteId,
            batchId,
            activationId: batch.activationId!,
            activationCode: code,
            region: batch.region,
            expiresAt,
          };
          const topic = renderTopic(this.deps.topics.credentials, { siteId: d.siteId, thingName: d.thingName });
          return this.deps.publisher.publishRetained(topic, JSON.stringify(message), (batch.expiresAt! - this.now()) / 1000);
        }),
      );
      const sent = chunk.filter((_, j) => results[j]!.status === 'fulfilled');
      failure ??= results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
      const now = this.now();
      await devices.markDelivered(batchId, sent.map((d) => d.deviceId), now);
      for (const d of sent) {
        if (d.state !== 'activated') continue;
        const accepted = d.times.accepted;
        if (accepted !== undefined) metrics.acceptToCredentials.observe((now - accepted) / 1000);
      }
      metrics.credentialsPublished.inc(sent.length);
      delivered += sent.length;
    }
    // the job retries what failed (only still-`activated` devices are published again)
    if (failure !== undefined) throw failure;
    await batches.markDelivered(batchId, this.now(), redeliverBefore !== undefined);
    this.deps.logger.info({ batchId, delivered, redelivery: redeliverBefore !== undefined }, 'credentials published');
    return delivered;
  }
}
