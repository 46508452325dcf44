/**
 * Role cutter (runs with intake): cuts each site's due buffer into batches when the earliest falls due (at
 * least every `cutIntervalMs`: another process's buffers, a new site's), at once when woken.
 */
import { BatchCutter } from '../services/batch-cutter.js';
import { IntervalLoop } from './interval-loop.js';
import type { PipelineContext, RunningRole } from './pipeline-context.js';

export interface RunningCutter extends RunningRole {
  /** a buffer may have filled: cut now rather than at the next pass */
  wake(): void;
}

export function startCutter(ctx: PipelineContext): RunningCutter {
  const { config, buffers, jobs, metrics, logger } = ctx;
  const cutter = new BatchCutter({ sites: config.sites.sites, buffers, jobs, metrics, logger });
  const loop = new IntervalLoop(config.pipeline.cutIntervalMs, () => cutter.cutDue(), ctx.loopError('batch cut'), () => cutter.msUntilNextDue());
  loop.start();
  return { wake: () => loop.wake(), stop: () => loop.stop() };
}
