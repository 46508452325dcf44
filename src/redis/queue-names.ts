/** The BullMQ queues and their job payloads. Payloads never carry an activation code. */
export const QUEUE = {
  intake: 'intake',
  activation: 'activation',
  delivery: 'delivery',
} as const;

export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

/**
 * Events of one API request: [deviceId, siteId, thingName, attributes, reenroll 0/1, moveFrom?] (compact in
 * Redis). `moveFrom`: the other site the API let this event move the device from.
 */
export type IntakeEventTuple = readonly [string, string, string, Readonly<Record<string, string>>, 0 | 1, string?];

export interface IntakeJobData {
  readonly events: readonly IntakeEventTuple[];
}

export interface BatchJobData {
  readonly batchId: string;
}

/** Delivery job: first delivery, or a redelivery to devices delivered before `redeliverBefore` (ms) without an ack. */
export interface DeliveryJobData extends BatchJobData {
  readonly redeliverBefore?: number;
}
