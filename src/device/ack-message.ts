/** The ack a device publishes after handling its credentials (docs/CONTRACT.md "MQTT topics and payloads"). */
import type { AckMessage, CredentialsMessage } from '../domain/messages.js';

/** Bounded so a chatty registration command cannot blow past AWS IoT's 128 KB message limit. */
const MAX_ERROR_CHARS = 1000;

export function registeredAck(credentials: Pick<CredentialsMessage, 'deliveryId' | 'activationId'>, managedNodeId: string): AckMessage {
  return { v: 1, deliveryId: credentials.deliveryId, activationId: credentials.activationId, status: 'registered', managedNodeId };
}

/** `error` must already be redacted: it is published as is. */
export function failedAck(credentials: Pick<CredentialsMessage, 'deliveryId' | 'activationId'>, error: string): AckMessage {
  const bounded = error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS - 1)}…` : error;
  return { v: 1, deliveryId: credentials.deliveryId, activationId: credentials.activationId, status: 'failed', error: bounded };
}

export function encodeAck(ack: AckMessage): string {
  return JSON.stringify(ack);
}
