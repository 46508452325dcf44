/** Every operation the emulator answers, keyed `service.Operation` (the keys of faults and counts). */
export const OPERATIONS = [
  'ssm.CreateActivation',
  'ssm.DescribeActivations',
  'ssm.DeleteActivation',
  'ssm.DescribeInstanceInformation',
  'ssm.AddTagsToResource',
  'ssm.ListTagsForResource',
  'ssm.RemoveTagsFromResource',
  'ssm.DeregisterManagedInstance',
  'ssm.GetServiceSetting',
  'ssm.UpdateServiceSetting',
  'ssm.ResetServiceSetting',
  /** the registration route standing in for `amazon-ssm-agent -register` (the agent's own API call) */
  'ssm.RegisterManagedInstance',
  'iot.DescribeEndpoint',
  'iot.CreateThing',
  'iot.DescribeThing',
  'iot.CreateTopicRuleDestination',
  'iot.ConfirmTopicRuleDestination',
  'iot.GetTopicRuleDestination',
  'iotdata.Publish',
  'iotdata.GetRetainedMessage',
] as const;

export type OperationKey = (typeof OPERATIONS)[number];

const known = new Set<string>(OPERATIONS);
export const isOperationKey = (key: string): key is OperationKey => known.has(key);
