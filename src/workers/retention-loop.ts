/** Runs with reconcile: drops finished devices and batches older than the retention, every `retentionSweepMs`. */
import { DAY_MS, DEFAULT_RETENTION_DAYS } from '../config.js';
import { RetentionService } from '../services/retention-service.js';
import { IntervalLoop } from './interval-loop.js';
import type { PipelineContext, RunningRole } from './pipeline-context.js';

export function startRetention(ctx: PipelineContext): RunningRole {
  const { config } = ctx;
  const retentionMs = config.retentionMs ?? DEFAULT_RETENTION_DAYS * DAY_MS;
  const retention = new RetentionService({ siteIds: [...config.sites.sites.keys()], retention: ctx.retention, retentionMs, logger: ctx.logger });
  const loop = new IntervalLoop(config.pipeline.retentionSweepMs, () => retention.sweep(), ctx.loopError('retention'));
  loop.start();
  return loop;
}
