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
