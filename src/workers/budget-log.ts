/**
 * The AWS call budgets, logged: once at start what they allow end to end, then every `budgetLogIntervalMs`
 * their current rates (they adapt below their ceilings when AWS throttles).
 */
import { budgetThroughput } from '../domain/throughput-budget.js';
import type { PipelineContext, RunningRole } from './pipeline-context.js';

export function startBudgetLog(ctx: PipelineContext): RunningRole {
  const { config, logger, limiter } = ctx;
  const batchSize = Math.min(...[...config.sites.sites.values()].map((s) => s.maxBatchSize), 1_000);
  const allowed = budgetThroughput({ ...config.rateLimits, batchSize, tagging: config.nodeTags === 'device' });
  logger.info(
    { devicesPerSecond: allowed, ceilings: config.rateLimits, batchSize },
    `AWS budgets allow ${allowed.registered} devices/s registered (limited by ${allowed.limitedBy}` +
      (allowed.tagged === null ? '; node tags off)' : `; nodes tagged at up to ${allowed.tagged}/s behind)`),
  );
  const timer = setInterval(() => logger.info({ callsPerSecond: limiter.currentRates() }, 'AWS call budgets now'), config.pipeline.budgetLogIntervalMs);
  timer.unref();
  return { stop: async () => clearInterval(timer) };
}
