/**
 * In-memory batch and device stores for the service specs: the rules of the Lua scripts that delivery and
 * reconcile run (delivered, registered, ack, acks verified, complete, expire) over Maps, plus a publisher and
 * a rate limiter that record what they were asked. Reads hand out copies, as Redis does; nothing here reads
 * a clock (every time is the `now` a call is given).
 */
import type { IotPublisher } from '../../../src/adapters/iot-publisher.js';
import type { RateLimiter } from '../../../src/adapters/rate-limiter.js';
import type { DeviceState } from '../../../src/domain/device-state.js';
import type { ExpireInput } from '../../../src/redis/batch-store.js';
import type { AckInput, AckVerdict } from '../../../src/redis/device-store.js';
import type { BatchRecord, DeviceDeliveryView, DeviceRecord, DeviceVerifyView } from '../../../src/redis/records.js';
import type { AckDevices } from '../../../src/services/ack-service.js';
import type { DeliveryBatches, DeliveryDevices } from '../../../src/services/delivery-service.js';
import type { ReconcileBatches, ReconcileDevices } from '../../../src/services/reconcile-service.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type StoredBatch = Mutable<BatchRecord> & { ackVersion: number };
export type StoredDevice = Mutable<DeviceRecord> & { times: Partial<Record<DeviceState, number>> };

/** What Redis would hold: batches, their member lists, devices, node claims, the to-verify sets, buffers. */
export class FleetMemory {
  readonly batches = new Map<string, StoredBatch>();
  readonly members = new Map<string, string[]>();
  readonly devices = new Map<string, StoredDevice>();
  /** managed node → the device that claimed it */
  readonly nodeClaims = new Map<string, string>();
  /** batches with acks to verify (`ackd`), and each one's acked devices not verified yet (`back:<id>`) */
  readonly ackedBatches = new Set<string>();
  readonly unverified = new Map<string, Set<string>>();
  /** managed-node registrations reserved per Region (set by the spec; the fakes do not keep it) */
  readonly quota = new Map<string, number>();
  /** site → device ids waiting for a batch */
  readonly buffers = new Map<string, string[]>();
  /** `<siteId>/<deviceId>` of nodes queued for tagging */
  readonly tagQueue = new Set<string>();

  /** An `active` batch of `deviceIds`, each `activated` with delivery id `<batchId>.<i>.n1`. */
  addActiveBatch(batchId: string, deviceIds: readonly string[], over: Partial<StoredBatch> = {}): StoredBatch {
    const batch: StoredBatch = {
      batchId,
      siteId: 'plant-1',
      state: 'active',
      region: 'us-east-1',
      size: deviceIds.length,
      left: deviceIds.length,
      registered: 0,
      activationId: `act-${batchId}`,
      sealedCode: null,
      nonce: 'n1',
      expiresAt: null,
      attempts: 1,
      throttles: 0,
      error: null,
      blockedReason: null,
      strays: 0,
      cutAt: 0,
      activatedAt: 0,
      deliveredAt: null,
      redeliveries: 0,
      updatedAt: 0,
      ackVersion: 0,
      ...over,
    };
    this.batches.set(batchId, batch);
    this.members.set(batchId, [...deviceIds]);
    deviceIds.forEach((deviceId, i) => {
      this.devices.set(deviceId, {
        deviceId,
        state: 'activated',
        siteId: batch.siteId,
        thingName: `thing-${deviceId}`,
        attributes: {},
        batchId,
        activationId: batch.activationId,
        deliveryId: `${batchId}.${i}.${batch.nonce}`,
        managedNodeId: null,
        error: null,
        rebatches: 0,
        times: { accepted: 0 },
        updatedAt: 0,
        tagState: null,
        taggedAt: null,
      });
    });
    return batch;
  }

  device(deviceId: string): StoredDevice {
    const d = this.devices.get(deviceId);
    if (!d) throw new Error(`no device ${deviceId}`);
    return d;
  }

  batch(batchId: string): StoredBatch {
    const b = this.batches.get(batchId);
    if (!b) throw new Error(`no batch ${batchId}`);
    return b;
  }

  moveDevice(deviceId: string, to: DeviceState, now: number): void {
    const d = this.device(deviceId);
    d.state = to;
    d.times[to] = now;
    d.updatedAt = now;
  }

  moveBatch(batchId: string, to: BatchRecord['state'], now: number): void {
    const b = this.batch(batchId);
    b.state = to;
    b.updatedAt = now;
  }

  /** The ack script's `registered` ack from a waiting device: it claims `node` and joins the acks to verify. */
  ack(deviceId: string, node: string, now: number): void {
    const d = this.device(deviceId);
    if (d.state !== 'activated' && d.state !== 'delivered') throw new Error(`${deviceId} is ${d.state}, not waiting`);
    const holder = this.nodeClaims.get(node);
    if (holder !== undefined && holder !== deviceId) throw new Error(`${node} is claimed by ${holder}`);
    this.nodeClaims.set(node, deviceId);
    d.managedNodeId = node;
    this.moveDevice(deviceId, 'acked', now);
    const b = this.batch(d.batchId!);
    b.ackVersion++;
    this.ackedBatches.add(b.batchId);
    const pending = this.unverified.get(b.batchId) ?? new Set<string>();
    pending.add(deviceId);
    this.unverified.set(b.batchId, pending);
  }

  /** what complete and expire share: the batch's code and its to-verify entries go */
  finishBatch(batchId: string, to: BatchRecord['state'], now: number): void {
    this.batch(batchId).sealedCode = null;
    this.moveBatch(batchId, to, now);
    this.ackedBatches.delete(batchId);
    this.unverified.delete(batchId);
  }
}

const copyBatch = (b: StoredBatch | undefined): BatchRecord | null => (b ? { ...b } : null);
const copyDevice = (d: StoredDevice | undefined): DeviceRecord | null => (d ? { ...d, times: { ...d.times } } : null);

/** The batch store's calls (get, lists, and the scripts delivery and reconcile run) over a FleetMemory. */
export class FakeBatchStore implements ReconcileBatches, DeliveryBatches {
  /** every `expire` call's input, for the reason and bounds the service passed */
  readonly expireInputs: ExpireInput[] = [];

  constructor(private readonly m: FleetMemory) {}

  async get(batchId: string): Promise<BatchRecord | null> {
    return copyBatch(this.m.batches.get(batchId));
  }
  async getMany(batchIds: readonly string[]): Promise<(BatchRecord | null)[]> {
    return batchIds.map((id) => copyBatch(this.m.batches.get(id)));
  }
  async deviceIds(batchId: string): Promise<string[]> {
    return [...(this.m.members.get(batchId) ?? [])];
  }
  async markDelivered(batchId: string, now: number, redelivery = false): Promise<void> {
    const batch = this.m.batch(batchId);
    batch.deliveredAt = now;
    if (redelivery) batch.redeliveries += 1;
  }
  async withUnverifiedAcks(): Promise<string[]> {
    return [...this.m.ackedBatches];
  }
  async ackedUnverified(batchId: string): Promise<string[]> {
    return [...(this.m.unverified.get(batchId) ?? [])];
  }
  async ackVersion(batchId: string): Promise<string> {
    return String(this.m.batches.get(batchId)?.ackVersion ?? 0);
  }
  async acksVerified(batchId: string, version: string): Promise<void> {
    if (String(this.m.batches.get(batchId)?.ackVersion ?? 0) === version) this.m.ackedBatches.delete(batchId);
  }
  async complete(batchId: string, now: number): Promise<boolean> {
    const b = this.m.batches.get(batchId);
    if (!b || b.state !== 'active' || b.left > 0) return false;
    this.m.finishBatch(batchId, 'completed', now);
    return true;
  }
  async expiredBy(now: number): Promise<string[]> {
    return [...this.m.batches.values()].filter((b) => b.state === 'active' && b.expiresAt !== null && b.expiresAt <= now).map((b) => b.batchId);
  }
  async expire(batchId: string, input: ExpireInput, now: number): Promise<{ rebatched: number; failed: number }> {
    this.expireInputs.push(input);
    const b = this.m.batches.get(batchId);
    if (!b || b.state !== 'active') return { rebatched: 0, failed: 0 };
    this.m.finishBatch(batchId, 'expired', now);
    let rebatched = 0;
    let failed = 0;
    for (const id of this.m.members.get(batchId) ?? []) {
      const d = this.m.devices.get(id);
      if (!d || d.batchId !== batchId || d.state === 'registered' || d.state === 'failed') continue;
      d.rebatches++;
      if (d.rebatches > input.maxRebatches) {
        d.error = input.reason;
        this.m.moveDevice(id, 'failed', now);
        failed++;
      } else {
        Object.assign(d, { batchId: null, activationId: null, deliveryId: null, managedNodeId: null });
        this.m.moveDevice(id, 'accepted', now);
        this.m.buffers.set(d.siteId, [...(this.m.buffers.get(d.siteId) ?? []), id]);
        rebatched++;
      }
    }
    b.left = 0;
    return { rebatched, failed };
  }
  async addStrays(batchId: string, count: number): Promise<void> {
    this.m.batch(batchId).strays = count;
  }
  async inState(state: BatchRecord['state'], changedBefore = Number.POSITIVE_INFINITY): Promise<string[]> {
    return [...this.m.batches.values()].filter((b) => b.state === state && b.updatedAt <= changedBefore).map((b) => b.batchId);
  }
  async quotaUsed(region: string): Promise<number> {
    return this.m.quota.get(region) ?? 0;
  }
}

/** The device store's calls delivery and reconcile make, over a FleetMemory. */
export class FakeDeviceStore implements ReconcileDevices, DeliveryDevices {
  /** the ids of each `markDelivered` call, in order */
  readonly deliveredCalls: string[][] = [];

  constructor(private readonly m: FleetMemory) {}

  async getMany(deviceIds: readonly string[]): Promise<(DeviceRecord | null)[]> {
    return deviceIds.map((id) => copyDevice(this.m.devices.get(id)));
  }
  async deliveryViews(deviceIds: readonly string[]): Promise<(DeviceDeliveryView | null)[]> {
    return deviceIds.map((id) => {
      const d = copyDevice(this.m.devices.get(id));
      if (!d) return null;
      const times: { accepted?: number; delivered?: number } = {};
      if (d.times.accepted !== undefined) times.accepted = d.times.accepted;
      if (d.times.delivered !== undefined) times.delivered = d.times.delivered;
      return { deviceId: d.deviceId, state: d.state, siteId: d.siteId, thingName: d.thingName, batchId: d.batchId, deliveryId: d.deliveryId, times };
    });
  }
  async verifyViews(deviceIds: readonly string[]): Promise<(DeviceVerifyView | null)[]> {
    return deviceIds.map((id) => {
      const d = copyDevice(this.m.devices.get(id));
      if (!d) return null;
      const times = d.times.accepted !== undefined ? { accepted: d.times.accepted } : {};
      return { deviceId: d.deviceId, state: d.state, siteId: d.siteId, thingName: d.thingName, batchId: d.batchId, managedNodeId: d.managedNodeId, times };
    });
  }
  async markDelivered(batchId: string, deviceIds: readonly string[], now: number): Promise<number> {
    this.deliveredCalls.push([...deviceIds]);
    let n = 0;
    for (const id of deviceIds) {
      const d = this.m.devices.get(id);
      if (d?.batchId !== batchId) continue;
      if (d.state === 'activated') {
        this.m.moveDevice(id, 'delivered', now);
        n++;
      } else if (d.state === 'delivered') d.times.delivered = now;
    }
    return n;
  }
  async nodeClaims(managedNodeIds: readonly string[]): Promise<Map<string, string>> {
    const claims = new Map<string, string>();
    for (const node of managedNodeIds) {
      const holder = this.m.nodeClaims.get(node);
      if (holder !== undefined) claims.set(node, holder);
    }
    return claims;
  }
  async markRegistered(batchId: string, deviceIds: readonly string[], now: number, tagNodes: boolean): Promise<number> {
    const b = this.m.batch(batchId);
    for (const id of deviceIds) {
      this.m.unverified.get(batchId)?.delete(id);
      const d = this.m.devices.get(id);
      if (d?.state !== 'acked' || d.batchId !== batchId) continue;
      this.m.moveDevice(id, 'registered', now);
      b.left--;
      b.registered++;
      if (tagNodes) {
        d.tagState = 'pending';
        this.m.tagQueue.add(`${d.siteId}/${id}`);
      }
    }
    return b.left;
  }
}

/** One `ackMany` call the AckService made: what it asked, and (while held) how the spec ends it. */
export interface AckCall {
  readonly inputs: readonly AckInput[];
  readonly now: number;
  /** answers the call (held calls only) */
  release(): void;
  /** fails the call with `err` (held calls only) */
  fail(err: Error): void;
}

/**
 * The ack script's door for the AckService spec: records each `ackMany` call and answers every ack with
 * `verdictOf` (the rules themselves are the Lua script's, tested on Redis). With `hold`, a call stays in
 * flight until the spec releases or fails it, so the spec decides what arrives meanwhile.
 */
export class RecordingAckStore implements AckDevices {
  readonly calls: AckCall[] = [];
  hold = false;
  verdictOf: (input: AckInput) => AckVerdict = () => 'accepted';

  ackMany(inputs: readonly AckInput[], now: number): Promise<AckVerdict[]> {
    return new Promise((resolve, reject) => {
      const answer = (): void => resolve(inputs.map((i) => this.verdictOf(i)));
      this.calls.push({ inputs: [...inputs], now, release: answer, fail: reject });
      if (!this.hold) answer();
    });
  }
}

/** Records every publish and clear; `fail` decides, per topic, which throw (and with what). */
export class FakePublisher implements Pick<IotPublisher, 'publishRetained' | 'clearRetained'> {
  readonly published: { topic: string; payload: string; expirySeconds: number }[] = [];
  readonly cleared: string[] = [];
  /** topics asked to publish or clear, the failed attempts included */
  readonly attempts: string[] = [];
  fail: (topic: string) => Error | undefined = () => undefined;

  async publishRetained(topic: string, payload: string, expirySeconds: number): Promise<void> {
    this.attempts.push(topic);
    const err = this.fail(topic);
    if (err) throw err;
    this.published.push({ topic, payload, expirySeconds });
  }
  async clearRetained(topic: string): Promise<void> {
    this.attempts.push(topic);
    const err = this.fail(topic);
    if (err) throw err;
    this.cleared.push(topic);
  }
}

/** Grants at once; records the tokens taken per bucket. */
export class RecordingLimiter implements RateLimiter {
  readonly taken = new Map<string, number>();
  async take(bucket: string, tokens = 1): Promise<void> {
    this.taken.set(bucket, (this.taken.get(bucket) ?? 0) + tokens);
  }
  report(): void {}
}
