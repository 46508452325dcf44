/**
 * What the AWS call budgets allow, in devices per second. Per batch of B devices the critical path costs one
 * CreateActivation, and on the SSM budget the orphan lookup before it (DescribeActivations), the
 * CreateActivation itself and the DeleteActivation at the end, plus one DescribeInstanceInformation page per
 * 50 devices; per device two IoT publishes (credentials, then the retained clear). Tagging is one
 * AddTagsToResource per device on its own budget, off the critical path.
 */
export const NODES_PER_PAGE = 50;
export const SSM_CALLS_PER_BATCH = 3;
export const PUBLISHES_PER_DEVICE = 2;

export interface BudgetInput {
  readonly ssmPerSecond: number;
  readonly createActivationPerSecond: number;
  readonly iotPublishPerSecond: number;
  readonly tagPerSecond: number;
  /** the batch size the sites cut (their smallest maxBatchSize: the budget's worst case) */
  readonly batchSize: number;
  readonly tagging: boolean;
}

export interface BudgetThroughput {
  /** devices/s each critical-path budget allows */
  readonly createActivation: number;
  readonly ssm: number;
  readonly iotPublish: number;
  /** devices/s registered: the smallest of the three */
  readonly registered: number;
  readonly limitedBy: 'createActivation' | 'ssm' | 'iotPublish';
  /** devices/s whose nodes get tagged (behind registration); null with tagging off */
  readonly tagged: number | null;
  /** SSM calls per device on the critical path */
  readonly ssmCallsPerDevice: number;
}

export function budgetThroughput(b: BudgetInput): BudgetThroughput {
  const size = Math.max(1, b.batchSize);
  const ssmCallsPerDevice = SSM_CALLS_PER_BATCH / size + 1 / NODES_PER_PAGE;
  const perBudget = {
    createActivation: Math.floor(b.createActivationPerSecond * size),
    ssm: Math.floor(b.ssmPerSecond / ssmCallsPerDevice),
    iotPublish: Math.floor(b.iotPublishPerSecond / PUBLISHES_PER_DEVICE),
  };
  const limitedBy = (Object.keys(perBudget) as (keyof typeof perBudget)[]).reduce((a, k) => (perBudget[k] < perBudget[a] ? k : a));
  return {
    ...perBudget,
    registered: perBudget[limitedBy],
    limitedBy,
    tagged: b.tagging ? b.tagPerSecond : null,
    ssmCallsPerDevice: Math.round(ssmCallsPerDevice * 10_000) / 10_000,
  };
}
