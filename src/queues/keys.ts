/**
 * The Redis key layout (docs/ARCHITECTURE.md). Every key shares one hash tag `{<keyPrefix>}`, so the
 * multi-key Lua scripts stay valid on Redis Cluster: the whole fleet lives in one slot.
 */
import type { BatchState } from '../domain/batch-state.js';

export class Keys {
  /** `{<keyPrefix>}` — the hash tag every key starts with */
  readonly root: string;

  constructor(keyPrefix: string) {
    this.root = `{${keyPrefix}}`;
  }

  /** BullMQ `prefix` option: queues live at `{p}:q:<name>:…` */
  get queuePrefix(): string {
    return `${this.root}:q`;
  }

  device(deviceId: string): string {
    return `${this.root}:dev:${deviceId}`;
  }

  /** FIFO of device ids waiting for a batch */
  buffer(siteId: string): string {
    return `${this.root}:buf:${siteId}`;
  }

  /** zset siteId → ms when its buffer must be cut */
  get due(): string {
    return `${this.root}:due`;
  }

  batch(batchId: string): string {
    return `${this.root}:batch:${batchId}`;
  }

  /** list of the batch's device ids; the index is part of each delivery id */
  batchDevices(batchId: string): string {
    return `${this.root}:bdev:${batchId}`;
  }

  /** zset batchId → last change, one per batch state */
  batchesIn(state: BatchState): string {
    return `${this.root}:bst:${state}`;
  }

  /** zset batchId → ms of the first ack not yet verified with SSM */
  get acked(): string {
    return `${this.root}:ackd`;
  }

  /** zset batchId → activation expiry (ms), for live activations */
  get expiries(): string {
    return `${this.root}:exp`;
  }

  /** hash device state → count, per site */
  counts(siteId: string): string {
    return `${this.root}:cnt:${siteId}`;
  }

  /** set of the site's failed device ids (for retry --site / --all-failed) */
  failed(siteId: string): string {
    return `${this.root}:failed:${siteId}`;
  }

  /** managed-node registrations reserved by live activations + registered nodes */
  quota(region: string): string {
    return `${this.root}:quota:${region}`;
  }

  /** zset deviceId → ms when its managed node is due for tagging (the tag role's queue) */
  get tagQueue(): string {
    return `${this.root}:tagq`;
  }

  /** hash siteId → devices whose node waits to be tagged */
  get tagBacklog(): string {
    return `${this.root}:tagn`;
  }

  /** set of the batch's acked device ids not yet verified with SSM */
  batchAcked(batchId: string): string {
    return `${this.root}:back:${batchId}`;
  }

  rateBucket(name: string): string {
    return `${this.root}:rl:${name}`;
  }

  lease(name: string): string {
    return `${this.root}:lease:${name}`;
  }

  /** list of the device's replaced records (JSON, newest first), kept across re-enrollments and moves */
  history(deviceId: string): string {
    return `${this.root}:hist:${deviceId}`;
  }

  /** hash thingName → deviceId per site: the device that last took the name (checked for being in flight) */
  things(siteId: string): string {
    return `${this.root}:things:${siteId}`;
  }

  /** hash managedNodeId → deviceId: the one device a node is claimed by (set by the ack script) */
  get nodeClaims(): string {
    return `${this.root}:nodes`;
  }

  /** zset deviceId → enrollment sequence number, per site: the device listing's order */
  deviceIndex(siteId: string): string {
    return `${this.root}:idx:${siteId}`;
  }

  /** zset batchId → sequence number at its cut, per site: the batch listing's order */
  batchIndex(siteId: string): string {
    return `${this.root}:bidx:${siteId}`;
  }

  /** zset deviceId → ms it became registered or failed, per site: what retention sweeps */
  finished(siteId: string): string {
    return `${this.root}:fin:${siteId}`;
  }

  /** hash final device state → records removed by retention, per site (cumulative) */
  expiredCounts(siteId: string): string {
    return `${this.root}:xcnt:${siteId}`;
  }

  /** a pattern matching every key of this prefix (tests clean up with it) */
  get everything(): string {
    return `${this.root}:*`;
  }
}
