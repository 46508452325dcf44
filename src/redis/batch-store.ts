/** Batch hashes `P:batch:<id>`, their device lists, state indexes and the scripts that move batches. */
import type { RedisConnection } from './redis-connection.js';
import { BATCH_STATES, type BatchState } from '../domain/batch-state.js';
import type { Keys } from './keys.js';
import { BATCH_FIELDS, type BatchRecord } from './records.js';
import type { RedisScripts } from './redis-scripts.js';

export interface ActivatedInput {
  readonly activationId: string;
  readonly sealedCode: string;
  readonly expiresAt: number;
  readonly nonce: string;
  /** the attempt this activation came from: recorded only if it is still the batch's latest */
  readonly attempt: number;
}

export interface ExpireInput {
  readonly maxRebatches: number;
  readonly batchWindowMs: number;
  readonly maxBatchSize: number;
  readonly reason: string;
}

export class BatchStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: Keys,
    private readonly scripts: RedisScripts,
  ) {}

  async get(batchId: string): Promise<BatchRecord | null> {
    return toBatchRecord(batchId, await this.redis.hgetall(this.keys.batch(batchId)));
  }

  /** Several batches in one pipelined round trip (reconcile's scans of hundreds of active batches). */
  async getMany(batchIds: readonly string[]): Promise<(BatchRecord | null)[]> {
    if (batchIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of batchIds) pipeline.hgetall(this.keys.batch(id));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, h], i) => (err ? null : toBatchRecord(batchIds[i]!, h as Record<string, string>)));
  }

  deviceIds(batchId: string): Promise<string[]> {
    return this.redis.lrange(this.keys.batchDevices(batchId), 0, -1);
  }

  /** Attempt number now recorded (before the call), or 0 if the batch no longer needs one. */
  async beginAttempt(batchId: string, now: number): Promise<number> {
    return (await this.scripts.run('fleetBeginAttempt', this.keys.batch(batchId), [this.keys.root, batchId, now])) as number;
  }

  /** A throttled call created nothing: the attempt is given back. Returns the batch's throttle count. */
  async throttled(batchId: string): Promise<number> {
    return (await this.scripts.run('fleetThrottled', this.keys.batch(batchId), [this.keys.root])) as number;
  }

  /** false: no room in the Region's node quota, the batch is now `blocked` (why = quota). */
  async reserveQuota(batchId: string, quota: number | null, now: number): Promise<boolean> {
    const r = await this.scripts.run('fleetReserveQuota', this.keys.batch(batchId), [this.keys.root, batchId, quota ?? -1, now]);
    return r === 1;
  }

  async quotaUsed(region: string): Promise<number> {
    return Number((await this.redis.get(this.keys.quota(region))) ?? 0);
  }

  /** Devices activated, or -1 when the batch was no longer `creating`. */
  async activated(batchId: string, input: ActivatedInput, now: number): Promise<number> {
    const args = [this.keys.root, batchId, input.activationId, input.sealedCode, input.expiresAt, now, input.nonce, input.attempt];
    return (await this.scripts.run('fleetActivated', this.keys.batch(batchId), args)) as number;
  }

  /** Devices failed with the reason, or -1 when the batch had already ended. */
  async fail(batchId: string, reason: string, now: number): Promise<number> {
    return (await this.scripts.run('fleetFailBatch', this.keys.batch(batchId), [this.keys.root, batchId, now, reason])) as number;
  }

  /** the batch's credentials went out at `now`; a redelivery counts as one more round */
  async markDelivered(batchId: string, now: number, redelivery = false): Promise<void> {
    const key = this.keys.batch(batchId);
    if (!redelivery) {
      await this.redis.hset(key, BATCH_FIELDS.deliveredAt, now);
      return;
    }
    await this.redis.multi().hset(key, BATCH_FIELDS.deliveredAt, now).hincrby(key, BATCH_FIELDS.redeliveries, 1).exec();
  }

  /** true when the batch is now `completed` (active and nothing left). */
  async complete(batchId: string, now: number): Promise<boolean> {
    return (await this.scripts.run('fleetCompleteBatch', this.keys.batch(batchId), [this.keys.root, batchId, now])) === 1;
  }

  async expire(batchId: string, input: ExpireInput, now: number): Promise<{ rebatched: number; failed: number }> {
    const args = [this.keys.root, batchId, now, input.maxRebatches, input.batchWindowMs, input.maxBatchSize, input.reason];
    const [rebatched, failed] = (await this.scripts.run('fleetExpireBatch', this.keys.batch(batchId), args)) as [number, number];
    return { rebatched, failed };
  }

  async addStrays(batchId: string, count: number): Promise<void> {
    await this.redis.hset(this.keys.batch(batchId), BATCH_FIELDS.strays, count);
  }

  /** Batch ids in a state whose last change is at or before `changedBefore` (ms). */
  inState(state: BatchState, changedBefore = Number.POSITIVE_INFINITY, limit = 1000): Promise<string[]> {
    const max = Number.isFinite(changedBefore) ? String(changedBefore) : '+inf';
    return this.redis.zrangebyscore(this.keys.batchesIn(state), '-inf', max, 'LIMIT', 0, limit);
  }

  /** ms of the oldest last change among the batches in `state`, or null when there are none. */
  async oldestChange(state: BatchState): Promise<number | null> {
    const [, score] = await this.redis.zrange(this.keys.batchesIn(state), '0', '0', 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }

  async countsByState(): Promise<Record<BatchState, number>> {
    const pipeline = this.redis.pipeline();
    for (const s of BATCH_STATES) pipeline.zcard(this.keys.batchesIn(s));
    const results = (await pipeline.exec()) ?? [];
    const counts = {} as Record<BatchState, number>;
    BATCH_STATES.forEach((s, i) => (counts[s] = Number(results[i]?.[1] ?? 0)));
    return counts;
  }

  /** Batches with acks not yet verified with SSM. */
  withUnverifiedAcks(limit = 1000): Promise<string[]> {
    return this.redis.zrange(this.keys.acked, String(0), String(limit - 1));
  }

  /** Acked devices of the batch not yet verified with SSM (what a verification pass reads: new acks only). */
  ackedUnverified(batchId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.batchAcked(batchId));
  }

  /** The batch's ack version: read before verifying, handed back to `acksVerified`. */
  async ackVersion(batchId: string): Promise<string> {
    return (await this.redis.hget(this.keys.batch(batchId), BATCH_FIELDS.ackVersion)) ?? '0';
  }

  /** Every ack up to `version` verified: the batch leaves the to-verify set unless a newer ack came. */
  async acksVerified(batchId: string, version: string): Promise<void> {
    await this.scripts.run('fleetAcksVerified', this.keys.acked, [this.keys.root, batchId, version]);
  }

  /** Live activations whose expiry has passed. */
  expiredBy(now: number, limit = 1000): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.expiries, '-inf', String(now), 'LIMIT', 0, limit);
  }
}

function num(v: string | undefined): number | null {
  return v === undefined || v === '' ? null : Number(v);
}

function toBatchRecord(batchId: string, h: Record<string, string>): BatchRecord | null {
  if (!h[BATCH_FIELDS.state]) return null;
  return {
    batchId,
    siteId: h[BATCH_FIELDS.site] ?? '',
    state: h[BATCH_FIELDS.state] as BatchState,
    region: h[BATCH_FIELDS.region] ?? '',
    size: Number(h[BATCH_FIELDS.size] ?? 0),
    left: Number(h[BATCH_FIELDS.left] ?? 0),
    registered: Number(h[BATCH_FIELDS.registered] ?? 0),
    activationId: h[BATCH_FIELDS.activation] || null,
    sealedCode: h[BATCH_FIELDS.code] || null,
    nonce: h[BATCH_FIELDS.nonce] || null,
    expiresAt: num(h[BATCH_FIELDS.expiresAt]),
    attempts: Number(h[BATCH_FIELDS.attempts] ?? 0),
    throttles: Number(h[BATCH_FIELDS.throttles] ?? 0),
    error: h[BATCH_FIELDS.error] || null,
    blockedReason: h[BATCH_FIELDS.blockedReason] || null,
    strays: Number(h[BATCH_FIELDS.strays] ?? 0),
    cutAt: Number(h[BATCH_FIELDS.cutAt] ?? 0),
    activatedAt: num(h[BATCH_FIELDS.activatedAt]),
    deliveredAt: num(h[BATCH_FIELDS.deliveredAt]),
    redeliveries: Number(h[BATCH_FIELDS.redeliveries] ?? 0),
    updatedAt: Number(h[BATCH_FIELDS.updated] ?? 0),
  };
}
