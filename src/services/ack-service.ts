/**
 * Device acks, from POST /v1/acks and from MQTT: one check for both. An ack counts only if its delivery id
 * carries the device's own secret (the MAC only its credentials message holds: a batch-mate cannot derive
 * it), names the device's current delivery and activation (and, when the topic is known, comes from the
 * device's own topic), and claims a managed node no other device holds; anything else is ignored and
 * counted as stale (an older delivery, a replay), forged or claimed. A device that acked a node SSM does not
 * show may ack again with another: the true ack is never locked out by an earlier wrong one.
 * A `failed` ack records the device's error and leaves it waiting: the device may still register before
 * the activation expires; if it does not, expiry re-batches it (bounded) like any silent device.
 * The ack script checks many acks per call: acks of one turn, and those that come while a call is in flight,
 * go in the next one (CallCoalescer), so a burst of acks costs a few Redis calls instead of one per ack. A
 * failed call rejects its acks (the MQTT handler logs them; reconcile redelivers those devices later).
 */
import type { Logger } from 'pino';
import type { AckOutcome } from './views.js';
import type { DeliverySigner } from '../adapters/delivery-signer.js';
import type { Metrics } from '../adapters/metrics.js';
import { ACK_ERROR_MAX_LENGTH, type AckMessage, type TopicTemplates } from '../domain/messages.js';
import { printable } from '../domain/printable-text.js';
import { parseTopic } from '../domain/topics.js';
import { ACKS_PER_SCRIPT_CALL, type AckInput, type AckVerdict, type DeviceStore } from '../redis/device-store.js';
import { parseDeliveryId } from './batch-ids.js';
import { CallCoalescer } from './call-coalescer.js';

export type AckDevices = Pick<DeviceStore, 'ackMany'>;

export interface AckDeps {
  readonly devices: AckDevices;
  readonly signer: DeliverySigner;
  readonly topics: TopicTemplates;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly clock?: () => number;
}

const MANAGED_NODE_ID = /^mi-[0-9a-f]{17}$/;

export class AckService {
  private readonly scriptCalls: CallCoalescer<AckInput, AckVerdict>;

  constructor(private readonly deps: AckDeps) {
    const now = deps.clock ?? Date.now;
    // one `now` per call: the time the acks are recorded at
    this.scriptCalls = new CallCoalescer((inputs) => deps.devices.ackMany(inputs, now()), ACKS_PER_SCRIPT_CALL);
  }

  async ack(ack: AckMessage, source: 'http' | 'mqtt', topic?: { siteId: string; thingName: string }): Promise<AckOutcome> {
    const count = (result: string): void => this.deps.metrics.acks.inc({ source, result });
    if (!isAck(ack)) {
      count('invalid');
      return 'invalid';
    }
    const keptId = this.deps.signer.open(ack.deliveryId);
    const ref = keptId === undefined ? undefined : parseDeliveryId(keptId);
    if (keptId === undefined || !ref) {
      count('forged');
      return 'stale';
    }
    const verdict = await this.scriptCalls.submit({
      batchId: ref.batchId,
      index: ref.index,
      deliveryId: keptId,
      activationId: ack.activationId,
      status: ack.status,
      managedNodeId: ack.managedNodeId ?? '',
      topic,
      // the ack script reads the error of a `failed` ack only: none travels with the others
      error: ack.status === 'failed' ? printable((ack.error ?? 'device reported a failed registration').slice(0, ACK_ERROR_MAX_LENGTH)) : '',
    });
    count(verdict);
    if (verdict !== 'accepted') this.deps.logger.debug({ delivery: keptId, verdict, source }, 'ack ignored');
    return verdict === 'accepted' ? 'accepted' : 'stale';
  }

  /** An ack from the broker: the topic names the device's site and thing. */
  async fromMqtt(topic: string, payload: Buffer): Promise<AckOutcome> {
    const where = parseTopic(this.deps.topics.ack, topic);
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      body = undefined;
    }
    if (!where) {
      this.deps.metrics.acks.inc({ source: 'mqtt', result: 'invalid' });
      return 'invalid';
    }
    return this.ack(body as AckMessage, 'mqtt', { siteId: where.siteId, thingName: where.thingName });
  }
}

/** The ack's shape (the API validates HTTP bodies too; MQTT payloads only meet this check). */
function isAck(a: unknown): a is AckMessage {
  if (typeof a !== 'object' || a === null) return false;
  const x = a as Record<string, unknown>;
  if (x.v !== 1 || typeof x.deliveryId !== 'string' || typeof x.activationId !== 'string') return false;
  if (x.status === 'registered') return typeof x.managedNodeId === 'string' && MANAGED_NODE_ID.test(x.managedNodeId);
  if (x.status === 'failed') return x.error === undefined || typeof x.error === 'string';
  return false;
}
