/** Payloads on the device topics (docs/CONTRACT.md "MQTT topics and payloads"). */
export interface CredentialsMessage {
  readonly v: 1;
  readonly deliveryId: string;
  readonly deviceId: string;
  readonly siteId: string;
  readonly batchId: string;
  readonly activationId: string;
  readonly activationCode: string;
  readonly region: string;
  /** ISO-8601 */
  readonly expiresAt: string;
}

/**
 * Longest `error` an ack carries: the device cuts its message to it, the API refuses longer, the
 * orchestrator keeps at most this much. Small next to AWS IoT's 128 KB message limit.
 */
export const ACK_ERROR_MAX_LENGTH = 1000;

export interface AckMessage {
  readonly v: 1;
  readonly deliveryId: string;
  readonly activationId: string;
  readonly status: 'registered' | 'failed';
  readonly managedNodeId?: string;
  readonly error?: string;
}

export interface TopicTemplates {
  /** default `fleet/enroll/{siteId}/{thingName}/activation` */
  readonly credentials: string;
  /** default `fleet/enroll/{siteId}/{thingName}/ack` */
  readonly ack: string;
}

export const DEFAULT_TOPICS: TopicTemplates = Object.freeze({
  credentials: 'fleet/enroll/{siteId}/{thingName}/activation',
  ack: 'fleet/enroll/{siteId}/{thingName}/ack',
});
