/**
 * What an SSM account allows in a Region, in domain vocabulary: its activation tier (GetServiceSetting
 * `/ssm/managed-instance/activation-tier`) and how many hybrid managed nodes it holds, whoever registered
 * them (DescribeInstanceInformation, ResourceType ManagedInstance, counted page by page). Every call passes
 * the global rate limiter's SSM bucket and is counted like the other SSM calls.
 */
import { DescribeInstanceInformationCommand, GetServiceSettingCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { AwsCallError } from '../domain/errors.js';
import type { AwsClients } from './aws-clients.js';
import { countedAwsCall } from './counted-aws-call.js';
import type { Metrics } from './metrics.js';
import type { RateLimiter } from './rate-limiter.js';
import { SSM_BUCKET } from './ssm-activations.js';

export const ACTIVATION_TIER_SETTING_ID = '/ssm/managed-instance/activation-tier';
export type ActivationTier = 'standard' | 'advanced';

export interface SsmAccount {
  activationTier(region: string): Promise<ActivationTier>;
  /** hybrid managed nodes (`mi-…`) registered in the Region; counting stops past `atMost` (no room is left by then) */
  countManagedNodes(region: string, atMost: number): Promise<number>;
}

export class SdkSsmAccount implements SsmAccount {
  constructor(
    private readonly clients: AwsClients,
    private readonly limiter: RateLimiter,
    private readonly metrics: Metrics,
  ) {}

  async activationTier(region: string): Promise<ActivationTier> {
    const out = await this.call(region, 'GetServiceSetting', (c) => c.send(new GetServiceSettingCommand({ SettingId: ACTIVATION_TIER_SETTING_ID })));
    const value = out.ServiceSetting?.SettingValue;
    if (value !== 'standard' && value !== 'advanced') {
      throw new AwsCallError('AWS_PERMANENT', 'GetServiceSetting', 'UnexpectedSettingValue', `${ACTIVATION_TIER_SETTING_ID} is "${String(value)}", not standard or advanced`, undefined);
    }
    return value;
  }

  async countManagedNodes(region: string, atMost: number): Promise<number> {
    let count = 0;
    let token: string | undefined;
    do {
      const out = await this.call(region, 'DescribeInstanceInformation', (c) =>
        c.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'ResourceType', Values: ['ManagedInstance'] }], MaxResults: 50, NextToken: token })),
      );
      count += out.InstanceInformationList?.length ?? 0;
      token = out.NextToken;
    } while (token && count <= atMost);
    return count;
  }

  private async call<T>(region: string, operation: string, send: (client: SSMClient) => Promise<T>): Promise<T> {
    await this.limiter.take(SSM_BUCKET);
    return countedAwsCall(this.metrics, operation, () => send(this.clients.ssm(region)));
  }
}
