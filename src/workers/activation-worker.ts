/**
 * Role activation: one job per batch. AWS retries stay in this job (it must look for the previous
 * attempt's orphan first): retry → job delayed (DelayedError, no BullMQ attempt used); failed for good →
 * UnrecoverableError (the batch and its devices already carry the reason).
 */
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import { QUEUE, type BatchJobData } from '../redis/queue-names.js';
import { ActivationService } from '../services/activation-service.js';
import type { PipelineContext, RunningRole } from './pipeline-context.js';
import { runningWorker, workerOptions, type WorkerBase } from './worker-options.js';

export function createActivationWorker(base: WorkerBase, activation: ActivationService, concurrency = 16): Worker<BatchJobData> {
  return new Worker<BatchJobData>(
    QUEUE.activation,
    async (job, token) => {
      const outcome = await activation.activate(job.data.batchId);
      if (outcome.kind === 'retry') {
        await job.moveToDelayed(Date.now() + outcome.delayMs, token);
        throw new DelayedError();
      }
      if (outcome.kind === 'failed') throw new UnrecoverableError(outcome.reason);
      return outcome.kind;
    },
    workerOptions(base, concurrency),
  );
}

export function startActivation(ctx: PipelineContext): RunningRole {
  const { config } = ctx;
  const activation = new ActivationService({
    sites: config.sites,
    nodeQuota: ctx.nodeQuota,
    batches: ctx.batches,
    ssm: ctx.ssm,
    cipher: ctx.cipher,
    jobs: ctx.jobs,
    lease: (name) => ctx.lease(name, config.pipeline.activationLeaseMs),
    retry: config.retry,
    metrics: ctx.metrics,
    logger: ctx.logger,
  });
  return runningWorker(createActivationWorker(ctx.workerBase, activation), ctx.logger);
}
