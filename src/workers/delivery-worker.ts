/** Role delivery: one job per activated batch → credentials published to each device's topic (and redeliveries). */
import { Worker } from 'bullmq';
import { QUEUE, type DeliveryJobData } from '../queues/queue-names.js';
import type { DeliveryService } from '../services/delivery-service.js';
import { workerOptions, type WorkerBase } from './worker-options.js';

export function createDeliveryWorker(base: WorkerBase, delivery: DeliveryService, concurrency = 8): Worker<DeliveryJobData> {
  return new Worker<DeliveryJobData>(
    QUEUE.delivery,
    async (job) => ({ delivered: await delivery.deliver(job.data.batchId, job.data.redeliverBefore) }),
    workerOptions(base, concurrency),
  );
}
