/**
 * A PUBLISH that came over MQTT, through the same steps as the HTTP Publish (RequestHandler):
 * counted as `iotdata.Publish`, the connection's 100/s limit, the operation's faults, then
 * IotDataService.publishMessage (the checks, the cap, the retained store, the broker). The answer
 * is a PUBACK reason code rather than an HTTP status, with AWS IoT's mapping of each failure; a
 * payload over 128 KB ends the connection with DISCONNECT 0x95 (Packet too large), since MQTT 5
 * allows 0x95 in CONNACK and DISCONNECT only, and standard clients refuse a PUBACK carrying it.
 */
import { AwsError } from '../aws-error.js';
import type { FaultInjector } from '../fault-injector.js';
import type { IotDataService, PublishFields } from '../iotdata/iot-data-service.js';
import type { OperationStats } from '../operation-stats.js';
import type { ConnectionPublishLimit } from './connection-publish-limit.js';
import type { Ending } from './puback-queue.js';
import { REASON } from './reason-codes.js';

/** a PUBACK reason code, or how the connection ends in its place (`drop`: the work is done, no PUBACK) */
export type PublishOutcome = { readonly puback: number } | { readonly ending: Ending };

const ACK = (reason: number): PublishOutcome => ({ puback: reason });
const SUCCESS = ACK(REASON.success);
const QUOTA_EXCEEDED = ACK(REASON.quotaExceeded);

export class MqttPublishPath {
  constructor(
    private readonly faults: FaultInjector,
    private readonly stats: OperationStats,
    private readonly iotData: IotDataService,
  ) {}

  async run(fields: PublishFields, limit: ConnectionPublishLimit): Promise<PublishOutcome> {
    const counts = this.stats.of('iotdata.Publish');
    counts.calls++;
    if (!limit.take()) {
      counts.throttled++;
      return QUOTA_EXCEEDED;
    }
    const decision = this.faults.decide('iotdata.Publish');
    if (decision.kind === 'throttle') {
      counts.throttled++;
      return QUOTA_EXCEEDED;
    }
    if (decision.kind === 'error') {
      counts.failed++;
      return ACK(REASON.unspecifiedError);
    }
    if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
    try {
      await this.iotData.publishMessage(fields);
    } catch (error) {
      counts.rejected++;
      return outcomeOf(error);
    }
    if (decision.dropAnswer) {
      counts.dropped++;
      return { ending: 'drop' };
    }
    return SUCCESS;
  }
}

/** IotDataService's refusals in AWS IoT's MQTT terms; anything else (the broker failing) is PUBACK 0x80. */
function outcomeOf(error: unknown): PublishOutcome {
  if (error instanceof AwsError && error.name === 'RequestEntityTooLargeException') return { ending: REASON.packetTooLarge };
  if (error instanceof AwsError && error.name === 'InvalidRequestException') return ACK(REASON.topicNameInvalid);
  return ACK(REASON.unspecifiedError);
}
