/**
 * AWS IoT topic rule destinations for the HTTP action (restJson1): CreateTopicRuleDestination posts
 * AWS IoT's confirmation message to the confirmation URL; ConfirmTopicRuleDestination with the token
 * from it enables the destination; GetTopicRuleDestination tells its status.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError } from '../aws-error.js';

export type DestinationStatus = 'ENABLED' | 'IN_PROGRESS' | 'DISABLED' | 'ERROR';

interface Destination {
  readonly arn: string;
  readonly confirmationUrl: string;
  readonly token: string;
  status: DestinationStatus;
  statusReason: string;
  readonly createdAt: number;
  lastUpdatedAt: number;
}

/** what the emulator does with a confirmation message (POST to the URL); failures land in statusReason */
export type ConfirmationSender = (url: string, headers: Record<string, string>, body: string) => Promise<number>;

export class TopicRuleDestinations {
  private readonly byArn = new Map<string, Destination>();
  private readonly byToken = new Map<string, Destination>();

  constructor(
    private readonly accountId: string,
    /** host:port of the emulator, for the enableUrl */
    private readonly endpointUrl: () => string,
    private readonly now: () => number,
    private readonly send: ConfirmationSender,
  ) {}

  create(body: Record<string, unknown>, region: string): Record<string, unknown> {
    const config = body['destinationConfiguration'] as Record<string, unknown> | undefined;
    const http = config?.['httpUrlConfiguration'] as Record<string, unknown> | undefined;
    const url = http?.['confirmationUrl'];
    if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/.test(url) || url.length > 2000) {
      throw new AwsError('InvalidRequestException', 'destinationConfiguration.httpUrlConfiguration.confirmationUrl: must be an http(s) URL of at most 2000 characters');
    }
    const now = this.now();
    const destination: Destination = {
      arn: `arn:aws:iot:${region}:${this.accountId}:ruledestination/http/${randomUUID()}`,
      confirmationUrl: url,
      token: randomBytes(96).toString('base64url'),
      status: 'IN_PROGRESS',
      statusReason: 'waiting for the confirmation URL to confirm the token',
      createdAt: now,
      lastUpdatedAt: now,
    };
    this.byArn.set(destination.arn, destination);
    this.byToken.set(destination.token, destination);
    void this.postConfirmation(destination);
    return { topicRuleDestination: this.describe(destination) };
  }

  confirm(token: string): Record<string, unknown> {
    if (token.length < 1 || token.length > 2048) throw new AwsError('InvalidRequestException', 'confirmationToken: must be 1–2048 characters');
    const destination = this.byToken.get(token);
    if (destination === undefined) throw new AwsError('InvalidRequestException', 'The confirmation token is not valid for any topic rule destination.');
    if (destination.status === 'IN_PROGRESS' || destination.status === 'ERROR') {
      destination.status = 'ENABLED';
      destination.statusReason = '';
      destination.lastUpdatedAt = this.now();
    }
    return {};
  }

  get(arn: string): Record<string, unknown> {
    const destination = this.byArn.get(arn);
    if (destination === undefined) throw new AwsError('UnauthorizedException', `No topic rule destination ${arn.slice(0, 200)} in this account.`, 401);
    return { topicRuleDestination: this.describe(destination) };
  }

  /** counts for GET /emulator/state */
  summary(): { readonly total: number; readonly enabled: number } {
    let enabled = 0;
    for (const d of this.byArn.values()) if (d.status === 'ENABLED') enabled++;
    return { total: this.byArn.size, enabled };
  }

  private describe(d: Destination): Record<string, unknown> {
    return {
      arn: d.arn,
      status: d.status,
      ...(d.statusReason ? { statusReason: d.statusReason } : {}),
      createdAt: d.createdAt / 1000,
      lastUpdatedAt: d.lastUpdatedAt / 1000,
      httpUrlProperties: { confirmationUrl: d.confirmationUrl },
    };
  }

  private async postConfirmation(d: Destination): Promise<void> {
    const target = new URL(d.confirmationUrl);
    target.searchParams.set('confirmationToken', d.token);
    const body = JSON.stringify({
      arn: d.arn,
      confirmationToken: d.token,
      enableUrl: `${this.endpointUrl()}/confirmdestination/${d.token}`,
      messageType: 'DestinationConfirmation',
    });
    const headers = {
      'content-type': 'application/json',
      'x-amz-rules-engine-message-type': 'DestinationConfirmation',
      'x-amz-rules-engine-destination-arn': d.arn,
    };
    try {
      const status = await this.send(target.toString(), headers, body);
      if (status >= 300 && d.status === 'IN_PROGRESS') d.statusReason = `the confirmation URL answered ${status}`;
    } catch (error) {
      if (d.status === 'IN_PROGRESS') {
        d.status = 'ERROR';
        d.statusReason = `the confirmation URL could not be reached: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
  }
}
