/**
 * The Redis key layout (docs/ARCHITECTURE.md). Every key shares one hash tag `{<keyPrefix>}`, so the
 * multi-key Lua scripts stay valid on Redis Cluster: the whole fleet lives in one slot.
 */
import type { BatchState } from '../domain/batch-state.js';

/**
 * The segment after the root of each key kind, declared once: `Keys` builds keys from them and the Lua
 * scripts get them as the table `SEG` (src/redis/redis-scripts.ts), so neither side retypes a segment.
 */
export const KEY_SEGMENTS = {
  queues: 'q',
  device: 'dev',
  buffer: 'buf',
  due: 'due',
  batch: 'batch',
  batchDevices: 'bdev',
  batchesIn: 'bst',
  acked: 'ackd',
  expiries: 'exp',
  counts: 'cnt',
  failed: 'failed',
  quota: 'quota',
  tagQueue: 'tagq',
  tagBacklog: 'tagn',
  batchAcked: 'back',
  rateBucket: 'rl',
  lease: 'lease',
  history: 'hist',
  things: 'things',
  nodeClaims: 'nodes',
  deviceIndex: 'idx',
  batchIndex: 'bidx',
  /** the counter both listing indexes take their sequence numbers from (used by the scripts only) */
  sequence: 'seq',
  finished: 'fin',
  expiredCounts: 'xcnt',
} as const;

export type KeySegment = (typeof KEY_SEGMENTS)[keyof typeof KEY_SEGMENTS];

export class Keys {
  /** `{<keyPrefix>}` — the hash tag every key starts with */
  readonly root: string;

  constructor(keyPrefix: string) {
    this.root = `{${keyPrefix}}`;
  }

  /** BullMQ `prefix` option: queues live at `{p}:q:<name>:…` */
  get queuePrefix(): string {
    return this.key(KEY_SEGMENTS.queues);
  }

  device(deviceId: string): string {
    return this.key(KEY_SEGMENTS.device, deviceId);
  }

  /** FIFO of device ids waiting for a batch */
  buffer(siteId: string): string {
    return this.key(KEY_SEGMENTS.buffer, siteId);
  }

  /** zset siteId → ms when its buffer must be cut */
  get due(): string {
    return this.key(KEY_SEGMENTS.due);
  }

  batch(batchId: string): string {
    return this.key(KEY_SEGMENTS.batch, batchId);
  }

  /** list of the batch's device ids; the index is part of each delivery id */
  batchDevices(batchId: string): string {
    return this.key(KEY_SEGMENTS.batchDevices, batchId);
  }

  /** zset batchId → last change, one per batch state */
  batchesIn(state: BatchState): string {
    return this.key(KEY_SEGMENTS.batchesIn, state);
  }

  /** zset batchId → ms of the first ack not yet verified with SSM */
  get acked(): string {
    return this.key(KEY_SEGMENTS.acked);
  }

  /** zset batchId → activation expiry (ms), for live activations */
  get expiries(): string {
    return this.key(KEY_SEGMENTS.expiries);
  }

  /** hash device state → count, per site */
  counts(siteId: string): string {
    return this.key(KEY_SEGMENTS.counts, siteId);
  }

  /** set of the site's failed device ids (for retry --site / --all-failed) */
  failed(siteId: string): string {
    return this.key(KEY_SEGMENTS.failed, siteId);
  }

  /** managed-node registrations reserved by live activations + registered nodes */
  quota(region: string): string {
    return this.key(KEY_SEGMENTS.quota, region);
  }

  /** zset deviceId → ms when its managed node is due for tagging (the tag role's queue) */
  get tagQueue(): string {
    return this.key(KEY_SEGMENTS.tagQueue);
  }

  /** hash siteId → devices whose node waits to be tagged */
  get tagBacklog(): string {
    return this.key(KEY_SEGMENTS.tagBacklog);
  }

  /** set of the batch's acked device ids not yet verified with SSM */
  batchAcked(batchId: string): string {
    return this.key(KEY_SEGMENTS.batchAcked, batchId);
  }

  rateBucket(name: string): string {
    return this.key(KEY_SEGMENTS.rateBucket, name);
  }

  lease(name: string): string {
    return this.key(KEY_SEGMENTS.lease, name);
  }

  /** list of the device's replaced records (JSON, newest first), kept across re-enrollments and moves */
  history(deviceId: string): string {
    return this.key(KEY_SEGMENTS.history, deviceId);
  }

  /** hash thingName → deviceId per site: the device that last took the name (checked for being in flight) */
  things(siteId: string): string {
    return this.key(KEY_SEGMENTS.things, siteId);
  }

  /** hash managedNodeId → deviceId: the one device a node is claimed by (set by the ack script) */
  get nodeClaims(): string {
    return this.key(KEY_SEGMENTS.nodeClaims);
  }

  /** zset deviceId → enrollment sequence number, per site: the device listing's order */
  deviceIndex(siteId: string): string {
    return this.key(KEY_SEGMENTS.deviceIndex, siteId);
  }

  /** zset batchId → sequence number at its cut, per site: the batch listing's order */
  batchIndex(siteId: string): string {
    return this.key(KEY_SEGMENTS.batchIndex, siteId);
  }

  /** zset deviceId → ms it became registered or failed, per site: what retention sweeps */
  finished(siteId: string): string {
    return this.key(KEY_SEGMENTS.finished, siteId);
  }

  /** hash final device state → records removed by retention, per site (cumulative) */
  expiredCounts(siteId: string): string {
    return this.key(KEY_SEGMENTS.expiredCounts, siteId);
  }

  /** a pattern matching every key of this prefix (tests clean up with it) */
  get everything(): string {
    return `${this.root}:*`;
  }

  /** `<root>:<segment>` or `<root>:<segment>:<id>`, as the Lua `key` function builds them (includes/keys.lua) */
  private key(segment: KeySegment, id?: string): string {
    return id === undefined ? `${this.root}:${segment}` : `${this.root}:${segment}:${id}`;
  }
}
