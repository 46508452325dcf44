/**
 * Answers AWS IoT's destination confirmation for the ack rule's HTTP action: the destination must be
 * one of this account's, in our Region, still waiting (IN_PROGRESS or ERROR); then
 * ConfirmTopicRuleDestination with its token. A destination already enabled is not confirmed again.
 * The message arrives without our API token (AWS IoT sends none), so calls are bounded: a few per minute.
 * Logged by ARN; the token never reaches a log, a metric or an answer.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../adapters/metrics.js';
import type { RuleDestinations } from '../adapters/iot-rule-destinations.js';
import type { DestinationConfirmation } from '../domain/destination-confirmation.js';

export type ConfirmationResult = 'confirmed' | 'already-confirmed' | 'unknown-destination' | 'wrong-region' | 'busy';

export interface DestinationConfirmationDeps {
  readonly destinations: RuleDestinations;
  /** the Region of our IoT client (AWS_REGION): destinations elsewhere are refused */
  readonly region: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** AWS calls allowed per minute for confirmations (default 10) */
  readonly perMinute?: number;
  readonly now?: () => number;
}

export class DestinationConfirmationService {
  private readonly now: () => number;
  private windowStart = 0;
  private used = 0;

  constructor(private readonly deps: DestinationConfirmationDeps) {
    this.now = deps.now ?? Date.now;
  }

  async confirm(message: DestinationConfirmation): Promise<ConfirmationResult> {
    const result = await this.decide(message);
    this.deps.metrics.destinationConfirmations.inc({ result });
    const log = { arn: message.arn, result };
    if (result === 'confirmed') this.deps.logger.info(log, 'AWS IoT topic rule destination confirmed');
    else this.deps.logger.warn(log, 'AWS IoT destination confirmation not acted on');
    return result;
  }

  private async decide(message: DestinationConfirmation): Promise<ConfirmationResult> {
    if (message.region !== this.deps.region) return 'wrong-region';
    if (!this.take()) return 'busy';
    const status = await this.deps.destinations.status(message.arn);
    if (status === 'absent') return 'unknown-destination';
    if (status === 'ENABLED' || status === 'DISABLED' || status === 'DELETING') return 'already-confirmed';
    await this.deps.destinations.confirm(message.confirmationToken);
    return 'confirmed';
  }

  /** a fixed one-minute window: an unauthenticated sender cannot make us call AWS more than this */
  private take(): boolean {
    const now = this.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used >= (this.deps.perMinute ?? 10)) return false;
    this.used++;
    return true;
  }
}
