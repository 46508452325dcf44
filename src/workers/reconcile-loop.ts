/**
 * Role reconcile: one leader at a time (a lease) verifies acks against SSM, completes and expires batches,
 * finds strays, re-drives failed devices and re-delivers unacked ones, every reconcile interval.
 */
import { ReconcileService } from '../services/reconcile-service.js';
import { IntervalLoop } from './interval-loop.js';
import type { PipelineContext, RunningRole } from './pipeline-context.js';

export function startReconcile(ctx: PipelineContext): RunningRole {
  const { config, metrics } = ctx;
  const policy = config.pipeline;
  const reconcile = new ReconcileService({
    sites: config.sites,
    nodeQuota: ctx.nodeQuota,
    batches: ctx.batches,
    devices: ctx.devices,
    ssm: ctx.ssm,
    publisher: ctx.publisher,
    limiter: ctx.limiter,
    jobs: ctx.jobs,
    leader: ctx.lease('reconcile', policy.reconcileLeaseMs),
    topics: config.topics,
    maxRebatches: config.maxRebatches,
    tagNodes: config.nodeTags === 'device',
    awsRetry: {
      attempts: policy.inPassAttempts,
      baseDelayMs: config.retry.baseDelayMs,
      maxDelayMs: config.retry.maxDelayMs,
      onRetry: (err) => metrics.awsRetries.inc({ operation: err.operation, reason: err.throttled ? 'throttled' : 'error' }),
    },
    metrics,
    logger: ctx.logger,
    stuckAfterMs: policy.stuckAfterMs,
    redeliverAfterMs: policy.redeliverAfterMs,
    ...(ctx.maxMessageExpirySeconds !== undefined ? { retainedExpiryCapSeconds: ctx.maxMessageExpirySeconds } : {}),
  });
  const loop = new IntervalLoop(config.reconcileIntervalMs, () => reconcile.tick(), ctx.loopError('reconcile'));
  loop.start();
  return loop;
}
