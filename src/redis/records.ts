/** Devices and batches as stored in Redis (short field names there, readable names here). */
import type { BatchState } from '../domain/batch-state.js';
import type { DeviceState } from '../domain/device-state.js';

export interface DeviceRecord {
  readonly deviceId: string;
  readonly state: DeviceState;
  readonly siteId: string;
  readonly thingName: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly batchId: string | null;
  readonly activationId: string | null;
  readonly deliveryId: string | null;
  readonly managedNodeId: string | null;
  readonly error: string | null;
  /** times this device was re-batched after its activation expired */
  readonly rebatches: number;
  /** ms per state reached */
  readonly times: Readonly<Partial<Record<DeviceState, number>>>;
  readonly updatedAt: number | null;
  /** tagging of its managed node by the tag role; null when not asked for (not registered, tags off) */
  readonly tagState: 'pending' | 'tagged' | 'refused' | null;
  readonly taggedAt: number | null;
}

/**
 * What a delivery reads of each device of its batch: where the credentials go, the delivery id, and the times
 * it needs — a few fields by HMGET instead of the whole hash (DeviceStore.deliveryViews).
 */
export type DeviceDeliveryView = Pick<DeviceRecord, 'deviceId' | 'state' | 'siteId' | 'thingName' | 'batchId' | 'deliveryId'> & {
  readonly times: Partial<Record<'accepted' | 'delivered', number>>;
};

/**
 * What verification reads of each newly acked device: its claim (managed node), where its credentials are to be
 * cleared, and its accept time — a few fields by HMGET instead of the whole hash (DeviceStore.verifyViews).
 */
export type DeviceVerifyView = Pick<DeviceRecord, 'deviceId' | 'state' | 'siteId' | 'thingName' | 'batchId' | 'managedNodeId'> & {
  readonly times: Partial<Record<'accepted', number>>;
};

export interface BatchRecord {
  readonly batchId: string;
  readonly siteId: string;
  readonly state: BatchState;
  readonly region: string;
  readonly size: number;
  /** devices neither registered nor gone elsewhere */
  readonly left: number;
  readonly registered: number;
  readonly activationId: string | null;
  /** AES-GCM sealed activation code; present only while redelivery may need it */
  readonly sealedCode: string | null;
  readonly nonce: string | null;
  readonly expiresAt: number | null;
  readonly attempts: number;
  readonly throttles: number;
  readonly error: string | null;
  readonly blockedReason: string | null;
  readonly strays: number;
  readonly cutAt: number;
  readonly activatedAt: number | null;
  /** ms when every credentials message of the batch was published */
  readonly deliveredAt: number | null;
  /** redelivery rounds so far */
  readonly redeliveries: number;
  readonly updatedAt: number;
}

/**
 * The device hash's field names (`dev:<id>`), declared once: the stores read records with them and the Lua
 * scripts get them as the table `DEVICE` (src/redis/redis-scripts.ts). Times per state: STATE_TIME_FIELDS.
 */
export const DEVICE_FIELDS = {
  state: 'st',
  site: 'site',
  thing: 'thing',
  attributes: 'attrs',
  batch: 'batch',
  activation: 'aid',
  delivery: 'did',
  node: 'node',
  error: 'err',
  /** expiries survived: the re-batch count */
  rebatches: 'gen',
  /** the intake job that wrote the record (a retried job is idempotent) */
  job: 'job',
  /** ms it entered its site buffer */
  buffered: 'tBuf',
  updated: 'upd',
  /** tagging of its managed node: p pending | d tagged | x refused */
  tag: 'tag',
  taggedAt: 'tTag',
  tagRetries: 'tatt',
} as const;

/** The batch hash's field names (`batch:<id>`), declared once; the Lua scripts get them as the table `BATCH`. */
export const BATCH_FIELDS = {
  state: 'st',
  site: 'site',
  region: 'region',
  size: 'size',
  left: 'left',
  registered: 'reg',
  activation: 'aid',
  code: 'code',
  nonce: 'nonce',
  expiresAt: 'exp',
  attempts: 'att',
  throttles: 'thr',
  /** node quota reserved */
  quota: 'q',
  error: 'err',
  blockedReason: 'why',
  strays: 'strays',
  /** the version of its acks: reconcile drops the batch from the to-verify set only if none came since */
  ackVersion: 'ackv',
  cutAt: 'tCut',
  activatedAt: 'tAct',
  deliveredAt: 'dlv',
  /** redelivery rounds so far: each waits twice as long as the one before (domain/redelivery.ts) */
  redeliveries: 'rdl',
  updated: 'upd',
} as const;

export const STATE_TIME_FIELDS: Readonly<Record<DeviceState, string>> = {
  accepted: 'tAcc',
  batched: 'tBat',
  activated: 'tAct',
  delivered: 'tDlv',
  acked: 'tAck',
  registered: 'tReg',
  failed: 'tFl',
};
