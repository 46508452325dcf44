/**
 * AWS IoT topic rule destinations (control plane), in domain vocabulary: a destination's status and
 * ConfirmTopicRuleDestination. The confirmation token is passed on and never logged or put in errors.
 */
import { ConfirmTopicRuleDestinationCommand, GetTopicRuleDestinationCommand } from '@aws-sdk/client-iot';
import { AwsCallError } from '../domain/errors.js';
import type { AwsClients } from './aws-clients.js';
import { countedAwsCall } from './counted-aws-call.js';
import type { Metrics } from './metrics.js';

/** AWS IoT's statuses, or `absent` when the account has no such destination (or may not see it) */
export type RuleDestinationStatus = 'ENABLED' | 'IN_PROGRESS' | 'DISABLED' | 'ERROR' | 'DELETING' | 'absent';

export interface RuleDestinations {
  status(arn: string): Promise<RuleDestinationStatus>;
  confirm(confirmationToken: string): Promise<void>;
}

const ABSENT = new Set(['ResourceNotFoundException', 'UnauthorizedException', 'InvalidRequestException']);

export class SdkRuleDestinations implements RuleDestinations {
  constructor(
    private readonly clients: AwsClients,
    private readonly metrics: Metrics,
  ) {}

  async status(arn: string): Promise<RuleDestinationStatus> {
    try {
      const out = await this.call('GetTopicRuleDestination', () => this.clients.iot().send(new GetTopicRuleDestinationCommand({ arn })));
      return (out.topicRuleDestination?.status as RuleDestinationStatus | undefined) ?? 'absent';
    } catch (err) {
      if (err instanceof AwsCallError && ABSENT.has(err.awsName)) return 'absent';
      throw err;
    }
  }

  async confirm(confirmationToken: string): Promise<void> {
    await this.call('ConfirmTopicRuleDestination', () => this.clients.iot().send(new ConfirmTopicRuleDestinationCommand({ confirmationToken })));
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    // only the facts go on, without the SDK's error (its request, and so the token, would ride along as the cause)
    return countedAwsCall(this.metrics, operation, send, { sanitize: sanitized });
  }
}

function sanitized(err: unknown): { name?: unknown; code?: unknown; message: string; $metadata?: unknown } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const message = typeof e.message === 'string' ? e.message : String(err);
  return {
    name: e.name,
    code: e.code,
    // a message can quote the request path, which holds the token
    message: message.replace(/confirmdestination\/\S+/gi, 'confirmdestination/…'),
    $metadata: { httpStatusCode: e.$metadata?.httpStatusCode },
  };
}
