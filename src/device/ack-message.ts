/** The ack a device publishes after handling its credentials (docs/CONTRACT.md "MQTT topics and payloads"). */
import { ACK_ERROR_MAX_LENGTH, type AckMessage, type CredentialsMessage } from '../domain/messages.js';

export function registeredAck(credentials: Pick<CredentialsMessage, 'deliveryId' | 'activationId'>, managedNodeId: string): AckMessage {
  return { v: 1, deliveryId: credentials.deliveryId, activationId: credentials.activationId, status: 'registered', managedNodeId };
}

/** `error` must already be redacted: it is published as is. */
export function failedAck(credentials: Pick<CredentialsMessage, 'deliveryId' | 'activationId'>, error: string): AckMessage {
  const bounded = error.length > ACK_ERROR_MAX_LENGTH ? `${error.slice(0, ACK_ERROR_MAX_LENGTH - 1)}…` : error;
  return { v: 1, deliveryId: credentials.deliveryId, activationId: credentials.activationId, status: 'failed', error: bounded };
}

export function encodeAck(ack: AckMessage): string {
  return JSON.stringify(ack);
}
