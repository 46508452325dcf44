/**
 * With activation, reconcile or api: reads each Region's managed-node quota at start and then every
 * FLEET_NODE_QUOTA_REFRESH_MS, so a tier change or nodes deregistered elsewhere unblock batches.
 */
import { IntervalLoop } from './interval-loop.js';
import type { PipelineContext, RunningRole } from './pipeline-context.js';

export function startNodeQuotaRefresh(ctx: PipelineContext): RunningRole | undefined {
  const { nodeQuota } = ctx;
  if (nodeQuota.accountRegions().length === 0) return undefined;
  const loop = new IntervalLoop(nodeQuota.refreshEveryMs, () => nodeQuota.refresh(), ctx.loopError('node quota'));
  loop.start();
  return loop;
}
