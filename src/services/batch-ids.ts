/**
 * Batch ids: `<site, safe>-<ms base36>-<random>`. They end up in DefaultInstanceName (`fleet-<batchId>`) and
 * in delivery ids (kept as `<batchId>.<index>.<nonce>`, sent signed: adapters/delivery-signer.ts), so they
 * hold no `.` and only `[A-Za-z0-9_-]`.
 */
import { randomBytes } from 'node:crypto';

export function newBatchId(siteId: string, now: number): string {
  const safe = siteId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return `${safe}-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

export interface DeliveryRef {
  readonly batchId: string;
  readonly index: number;
}

const DELIVERY_ID = /^([A-Za-z0-9_-]{1,120})\.(\d{1,4})\.([A-Za-z0-9_-]{1,32})$/;

/** The batch and list index a kept delivery id points at, or undefined when it cannot be one of ours. */
export function parseDeliveryId(deliveryId: string): DeliveryRef | undefined {
  const m = DELIVERY_ID.exec(deliveryId);
  if (!m) return undefined;
  return { batchId: m[1]!, index: Number(m[2]) };
}

/** Per-activation nonce in delivery ids: a redelivery of the same activation keeps them, a new one does not. */
export function newDeliveryNonce(): string {
  return randomBytes(4).toString('hex');
}
