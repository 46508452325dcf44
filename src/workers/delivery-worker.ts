/** Role delivery: one job per activated batch → credentials published to each device's topic (and redeliveries). */
import { Worker } from 'bullmq';
import { QUEUE, type DeliveryJobData } from '../redis/queue-names.js';
import { DeliveryService } from '../services/delivery-service.js';
import type { PipelineContext, RunningRole } from './pipeline-context.js';
import { runningWorker, workerOptions, type WorkerBase } from './worker-options.js';

export function createDeliveryWorker(base: WorkerBase, delivery: DeliveryService, concurrency = 8): Worker<DeliveryJobData> {
  return new Worker<DeliveryJobData>(
    QUEUE.delivery,
    async (job) => ({ delivered: await delivery.deliver(job.data.batchId, job.data.redeliverBefore) }),
    workerOptions(base, concurrency),
  );
}

export function startDelivery(ctx: PipelineContext): RunningRole {
  const { batches, devices, publisher, cipher, signer, limiter, metrics, logger } = ctx;
  const delivery = new DeliveryService({ batches, devices, publisher, cipher, signer, limiter, topics: ctx.config.topics, metrics, logger });
  // the publish connection's handshake before the first batch, not in its latency
  void publisher.prepare?.();
  return runningWorker(createDeliveryWorker(ctx.workerBase, delivery), logger);
}
