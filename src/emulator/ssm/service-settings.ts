/**
 * SSM service settings (awsJson1_1): GetServiceSetting, UpdateServiceSetting, ResetServiceSetting for
 * the one setting the emulator models, `/ssm/managed-instance/activation-tier` (`standard` | `advanced`),
 * kept per Region as in AWS. The tier decides how many managed nodes a Region takes (see `nodeLimit`).
 */
import { AwsError } from '../aws-error.js';
import { requiredString, type JsonObject } from './json-members.js';

export const ACTIVATION_TIER_SETTING = '/ssm/managed-instance/activation-tier';
export const ACTIVATION_TIERS = ['standard', 'advanced'] as const;
export type ActivationTier = (typeof ACTIVATION_TIERS)[number];
/** hybrid nodes per account and Region on the standard tier */
export const STANDARD_TIER_NODES = 1000;

export type ServiceSettingOperation = 'GetServiceSetting' | 'UpdateServiceSetting' | 'ResetServiceSetting';
export const SERVICE_SETTING_OPERATIONS: readonly ServiceSettingOperation[] = ['GetServiceSetting', 'UpdateServiceSetting', 'ResetServiceSetting'];

interface Customized {
  readonly tier: ActivationTier;
  /** epoch ms */
  readonly at: number;
}

export class ServiceSettings {
  /** a Region's setting once changed: customized, or reset to AWS's default (standard) */
  private readonly byRegion = new Map<string, Customized | 'reset'>();
  private readonly startedAt: number;

  constructor(
    private readonly accountId: string,
    /** every Region's value at start (`--tier`): advanced counts as changed by the account before */
    private readonly startTier: ActivationTier,
    private readonly now: () => number,
    /** the live managed nodes of a Region: the advanced tier cannot be left while it holds more than the standard tier allows */
    private readonly liveNodes: (region: string) => number,
  ) {
    this.startedAt = now();
  }

  tier(region: string): ActivationTier {
    return this.customized(region)?.tier ?? 'standard';
  }

  /** Managed nodes a Region takes on its tier: null = no limit (advanced). */
  nodeLimit(region: string): number | null {
    return this.tier(region) === 'advanced' ? null : STANDARD_TIER_NODES;
  }

  handle(operation: ServiceSettingOperation, input: JsonObject, region: string): JsonObject {
    this.settingOf(input, region);
    switch (operation) {
      case 'GetServiceSetting':
        return { ServiceSetting: this.describe(region) };
      case 'UpdateServiceSetting': {
        const value = requiredString(input, 'SettingValue');
        if (!(ACTIVATION_TIERS as readonly string[]).includes(value)) {
          throw new AwsError('InvalidParameterValueException', `SettingValue '${value.slice(0, 40)}' is not valid for ${ACTIVATION_TIER_SETTING}: use standard or advanced.`);
        }
        this.change(region, value as ActivationTier);
        return {};
      }
      case 'ResetServiceSetting':
        // back to AWS's own default, the standard tier
        this.change(region, 'standard', true);
        return { ServiceSetting: this.describe(region) };
    }
  }

  /** Programmatic change, as UpdateServiceSetting does (tests, the admin API). */
  set(region: string, tier: ActivationTier): void {
    this.change(region, tier);
  }

  private customized(region: string): Customized | undefined {
    const entry = this.byRegion.get(region);
    if (entry === 'reset') return undefined;
    return entry ?? (this.startTier === 'advanced' ? { tier: 'advanced', at: this.startedAt } : undefined);
  }

  private change(region: string, tier: ActivationTier, reset = false): void {
    if (tier === 'standard' && this.tier(region) === 'advanced' && this.liveNodes(region) > STANDARD_TIER_NODES) {
      throw new AwsError(
        'InvalidParameterValueException',
        `${region} has ${this.liveNodes(region)} managed nodes: deregister down to ${STANDARD_TIER_NODES} before changing ${ACTIVATION_TIER_SETTING} to standard.`,
      );
    }
    this.byRegion.set(region, reset ? 'reset' : { tier, at: this.now() });
  }

  private describe(region: string): JsonObject {
    const customized = this.customized(region);
    return {
      SettingId: ACTIVATION_TIER_SETTING,
      SettingValue: this.tier(region),
      ...(customized !== undefined ? { LastModifiedDate: customized.at / 1000, LastModifiedUser: `arn:aws:iam::${this.accountId}:root` } : {}),
      ARN: this.arn(region),
      Status: customized !== undefined ? 'Customized' : 'Default',
    };
  }

  /** The setting is named by its id or its full ARN; any other is not found, as in AWS. */
  private settingOf(input: JsonObject, region: string): void {
    const id = requiredString(input, 'SettingId');
    if (id !== ACTIVATION_TIER_SETTING && id !== this.arn(region)) {
      throw new AwsError('ServiceSettingNotFound', `The service setting ${id.slice(0, 200)} is not found (the emulator models ${ACTIVATION_TIER_SETTING} only).`);
    }
  }

  private arn(region: string): string {
    return `arn:aws:ssm:${region}:${this.accountId}:servicesetting${ACTIVATION_TIER_SETTING}`;
  }
}
