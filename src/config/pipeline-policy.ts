/**
 * The pipeline's timing policies: how often each loop runs, how long its lease lives, how often an AWS read
 * is tried within one pass. They are not environment variables of their own: each default is derived here,
 * and only here, from the settings users do set (batch windows, reconcile interval, retention, tag budget).
 * Code (tests, the demo, bench) may override any of them through `loadConfig`'s overrides.
 */
export interface PipelinePolicy {
  /** how often due site buffers are cut: a tenth of the shortest batch window, 25–100 ms */
  readonly cutIntervalMs: number;
  /** an activation job's hold on its batch: a SIGKILLed worker's batch waits this long (30 s); an attempt outliving it is fenced by its attempt number */
  readonly activationLeaseMs: number;
  /** the reconcile leader's lease: three reconcile intervals, at least 5 s */
  readonly reconcileLeaseMs: number;
  /** tries of one AWS call within a reconcile pass before the pass leaves it to the next (6) */
  readonly inPassAttempts: number;
  /** devices delivered this long ago without an ack get their credentials again: 20 reconcile intervals, 2–60 s */
  readonly redeliverAfterMs: number;
  /** a batch this long without progress has lost its job and gets it again (10 s) */
  readonly stuckAfterMs: number;
  /** how often the retention sweep runs: a quarter of the retention, from the reconcile interval up to 60 s */
  readonly retentionSweepMs: number;
  /** how often the tag role looks for due nodes: the reconcile interval, 50 ms–1 s (at once again while more is due) */
  readonly tagIntervalMs: number;
  /** nodes claimed per tag pass: two seconds of the tag budget, 10–500, so a claim's lease is never near its end */
  readonly tagClaimLimit: number;
  /** how often the AWS call budgets' current rates are logged (60 s) */
  readonly budgetLogIntervalMs: number;
}

export interface PolicyInputs {
  /** every site's batch window (none: 1 s) */
  readonly batchWindowsMs: readonly number[];
  readonly reconcileIntervalMs: number;
  readonly retentionMs: number;
  readonly tagPerSecond: number;
}

const clamp = (v: number, min: number, max: number): number => Math.min(max, Math.max(min, v));

export function pipelinePolicy(inputs: PolicyInputs, overrides: Partial<PipelinePolicy> = {}): PipelinePolicy {
  const { reconcileIntervalMs } = inputs;
  const defaults: PipelinePolicy = {
    // a due buffer waits for the next pass: a tenth of the window keeps that small next to the window; a pass is one ZRANGEBYSCORE
    cutIntervalMs: clamp(Math.floor(Math.min(...inputs.batchWindowsMs, 1_000) / 10), 25, 100),
    activationLeaseMs: 30_000,
    reconcileLeaseMs: Math.max(5_000, reconcileIntervalMs * 3),
    inPassAttempts: 6,
    redeliverAfterMs: clamp(20 * reconcileIntervalMs, 2_000, 60_000),
    stuckAfterMs: 10_000,
    // a sweep pass is a few bounded script calls; with a short retention (tests) it runs more often
    retentionSweepMs: clamp(Math.floor(inputs.retentionMs / 4), reconcileIntervalMs, 60_000),
    tagIntervalMs: clamp(reconcileIntervalMs, 50, 1_000),
    tagClaimLimit: clamp(inputs.tagPerSecond * 2, 10, 500),
    budgetLogIntervalMs: 60_000,
  };
  return { ...defaults, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}

/** The policies an override may set, for checking them by name. */
export const POLICY_FIELDS: readonly (keyof PipelinePolicy)[] = [
  'cutIntervalMs',
  'activationLeaseMs',
  'reconcileLeaseMs',
  'inPassAttempts',
  'redeliverAfterMs',
  'stuckAfterMs',
  'retentionSweepMs',
  'tagIntervalMs',
  'tagClaimLimit',
  'budgetLogIntervalMs',
];
