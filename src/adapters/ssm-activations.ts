/**
 * SSM hybrid activations and managed nodes, in domain vocabulary. Every call passes the global rate
 * limiter first, is counted by operation and outcome, and any SDK error becomes an AwsCallError
 * (classified on its `name` by the domain). Activation codes only ever travel in return values.
 */
import {
  AddTagsToResourceCommand,
  CreateActivationCommand,
  DeleteActivationCommand,
  DescribeActivationsCommand,
  DescribeInstanceInformationCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { CreateActivationRequest } from '../domain/activation-request.js';
import { AwsCallError } from '../domain/errors.js';
import type { AwsClients } from './aws-clients.js';
import { countedAwsCall } from './counted-aws-call.js';
import type { SignedSsmJson } from './signed-ssm-json.js';
import type { Metrics } from './metrics.js';
import type { RateLimiter } from './rate-limiter.js';

export interface CreatedActivation {
  readonly activationId: string;
  /** secret: seal it or hand it to the device, never log it */
  readonly activationCode: string;
}

export interface ActivationSummary {
  readonly activationId: string;
  readonly defaultInstanceName: string;
  readonly registrationsCount: number;
  readonly expired: boolean;
}

export interface ManagedNode {
  readonly managedNodeId: string;
}

export interface SsmActivations {
  create(region: string, request: CreateActivationRequest): Promise<CreatedActivation>;
  /** activations whose DefaultInstanceName is exactly `name` (the batch's lost attempts) */
  findByDefaultInstanceName(region: string, name: string): Promise<ActivationSummary[]>;
  /** false when it did not exist (any more) */
  delete(region: string, activationId: string): Promise<boolean>;
  /** managed nodes registered with the activation */
  nodesOf(region: string, activationId: string): Promise<ManagedNode[]>;
  tagNode(region: string, managedNodeId: string, tags: Readonly<Record<string, string>>): Promise<void>;
  /** a cheap authenticated call: is SSM reachable with our credentials */
  ping(region: string): Promise<void>;
}

export const SSM_BUCKET = 'ssm';
export const CREATE_ACTIVATION_BUCKET = 'ssm-create';
/** AddTagsToResource has its own bucket: tagging never takes the verification's share of the SSM budget */
export const TAG_BUCKET = 'ssm-tag';

/** AWS says "does not exist" with these names: a delete of something gone is done. */
/** the fields of a DescribeInstanceInformation answer read here (the signed path parses the JSON itself) */
interface NodesPage {
  readonly InstanceInformationList?: readonly { readonly InstanceId?: string }[];
  readonly NextToken?: string;
}

const GONE = new Set(['InvalidActivation', 'InvalidActivationId', 'DoesNotExistException']);

export class SdkSsmActivations implements SsmActivations {
  constructor(
    private readonly clients: AwsClients,
    private readonly limiter: RateLimiter,
    private readonly metrics: Metrics,
    /** AddTagsToResource and DescribeInstanceInformation signed by us instead of through the SDK client (FLEET_PER_DEVICE_CALLS=signed) */
    private readonly signed?: SignedSsmJson,
  ) {}

  async create(region: string, request: CreateActivationRequest): Promise<CreatedActivation> {
    await this.limiter.take(CREATE_ACTIVATION_BUCKET);
    const out = await this.call(region, 'CreateActivation', SSM_BUCKET, (c) =>
      c.send(
        new CreateActivationCommand({
          IamRole: request.IamRole,
          RegistrationLimit: request.RegistrationLimit,
          ExpirationDate: request.ExpirationDate,
          DefaultInstanceName: request.DefaultInstanceName,
          Description: request.Description,
          Tags: request.Tags.map((t) => ({ Key: t.Key, Value: t.Value })),
        }),
      ),
    );
    if (!out.ActivationId || !out.ActivationCode) {
      throw new AwsCallError('AWS_TRANSIENT', 'CreateActivation', 'IncompleteAnswer', 'answer without ActivationId or ActivationCode', undefined);
    }
    return { activationId: out.ActivationId, activationCode: out.ActivationCode };
  }

  async findByDefaultInstanceName(region: string, name: string): Promise<ActivationSummary[]> {
    const found: ActivationSummary[] = [];
    let token: string | undefined;
    do {
      const out = await this.call(region, 'DescribeActivations', SSM_BUCKET, (c) =>
        c.send(
          new DescribeActivationsCommand({
            Filters: [{ FilterKey: 'DefaultInstanceName', FilterValues: [name] }],
            MaxResults: 50,
            NextToken: token,
          }),
        ),
      );
      for (const a of out.ActivationList ?? []) {
        // the filter's matching rules are AWS's; ours is exact
        if (a.ActivationId && a.DefaultInstanceName === name) {
          found.push({
            activationId: a.ActivationId,
            defaultInstanceName: a.DefaultInstanceName,
            registrationsCount: a.RegistrationsCount ?? 0,
            expired: a.Expired ?? false,
          });
        }
      }
      token = out.NextToken;
    } while (token);
    return found;
  }

  async delete(region: string, activationId: string): Promise<boolean> {
    try {
      await this.call(region, 'DeleteActivation', SSM_BUCKET, (c) => c.send(new DeleteActivationCommand({ ActivationId: activationId })));
      return true;
    } catch (err) {
      if (err instanceof AwsCallError && GONE.has(err.awsName)) return false;
      throw err;
    }
  }

  async nodesOf(region: string, activationId: string): Promise<ManagedNode[]> {
    const nodes: ManagedNode[] = [];
    let token: string | undefined;
    // a page per 50 devices on the critical path: signed by us when so configured, as the per-device calls
    // (the SDK's deserializer of 50 full InstanceInformation entries cost ~1 ms of CPU a page)
    const signed = this.signed;
    do {
      const input = { Filters: [{ Key: 'ActivationIds', Values: [activationId] }], MaxResults: 50, NextToken: token };
      const out = await this.call(region, 'DescribeInstanceInformation', SSM_BUCKET, (c) =>
        signed
          ? (signed.call(region, 'DescribeInstanceInformation', input) as Promise<NodesPage>)
          : c.send(new DescribeInstanceInformationCommand(input)),
      );
      for (const i of out.InstanceInformationList ?? []) {
        if (i.InstanceId) nodes.push({ managedNodeId: i.InstanceId });
      }
      token = out.NextToken;
    } while (token);
    return nodes;
  }

  async tagNode(region: string, managedNodeId: string, tags: Readonly<Record<string, string>>): Promise<void> {
    const input = { ResourceType: 'ManagedInstance' as const, ResourceId: managedNodeId, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
    // one call per device: signed by us when so configured (FLEET_PER_DEVICE_CALLS), the SDK client otherwise
    const signed = this.signed;
    await this.call(region, 'AddTagsToResource', TAG_BUCKET, (c) =>
      signed ? signed.call(region, 'AddTagsToResource', input) : c.send(new AddTagsToResourceCommand(input)),
    );
  }

  async ping(region: string): Promise<void> {
    await this.call(region, 'DescribeActivations', SSM_BUCKET, (c) => c.send(new DescribeActivationsCommand({ MaxResults: 1 })));
  }

  private async call<T>(region: string, operation: string, bucket: string, send: (client: SSMClient) => Promise<T>): Promise<T> {
    await this.limiter.take(bucket);
    // the bucket whose rate adapts to this call's answer: CreateActivation's own, else the call's
    const adapts = operation === 'CreateActivation' ? CREATE_ACTIVATION_BUCKET : bucket;
    return countedAwsCall(this.metrics, operation, () => send(this.clients.ssm(region)), {
      onOutcome: (outcome) => {
        if (outcome !== 'error') this.limiter.report(adapts, outcome);
      },
    });
  }
}
