/** Role `tag`: a loop that tags registered devices' managed nodes, again at once while there is more due. */
import { TagService } from '../services/tag-service.js';
import { IntervalLoop } from './interval-loop.js';
import type { PipelineContext, RunningRole } from './pipeline-context.js';

export function createTagLoop(service: TagService, intervalMs: number, onError: (err: unknown) => void): IntervalLoop {
  const loop: IntervalLoop = new IntervalLoop(
    intervalMs,
    async () => {
      const r = await service.tick();
      // a full claim means more is due: the next pass starts now, not an interval later
      if (r.more) loop.wake();
    },
    onError,
  );
  return loop;
}

export function startTagging(ctx: PipelineContext): RunningRole | undefined {
  const { config, logger } = ctx;
  if (config.nodeTags !== 'device') {
    logger.info('FLEET_NODE_TAGS=none: managed nodes carry only their activation\'s tags; the tag role is idle');
    return undefined;
  }
  const tagging = new TagService({
    queue: ctx.tagQueue,
    ssm: ctx.ssm,
    sites: config.sites.sites,
    metrics: ctx.metrics,
    logger,
    defaultRegion: config.awsRegion,
    claimLimit: config.pipeline.tagClaimLimit,
    retryBaseMs: config.retry.baseDelayMs,
    retryMaxMs: config.retry.maxDelayMs,
  });
  const loop = createTagLoop(tagging, config.pipeline.tagIntervalMs, ctx.loopError('node tagging'));
  loop.start();
  return loop;
}
