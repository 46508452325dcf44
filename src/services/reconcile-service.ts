/**
 * The reconcile pass (one leader at a time, via a Redis lease, so any number of processes may run the role):
 *  1. batches with new acks → their node list from SSM (DescribeInstanceInformation by activation, 50 per
 *     page; several batches at once, the SSM bucket setting the pace) → each acked device whose node SSM lists
 *     gets its retained credentials cleared → `registered` (its node joins the tag queue; tagging is the tag
 *     role's, never waited for); a batch with nothing left → activation deleted, code gone, `completed`;
 *  2. expired activations → deleted, retained messages of unregistered devices cleared, those devices
 *     re-batched (bounded, then `failed` with a reason a person can act on), nodes nobody claimed = strays;
 *  3. batches stuck without a job (a crash between two steps) get their job again; `blocked` batches are
 *     re-driven once their Region has room.
 */
import type { NodeQuotaLimits } from './node-quota-service.js';
import { retainedRefreshDue } from './retained-refresh.js';
import type { Logger } from 'pino';
import type { IotPublisher } from '../adapters/iot-publisher.js';
import type { Metrics } from '../adapters/metrics.js';
import type { RateLimiter } from '../adapters/rate-limiter.js';
import type { SsmActivations } from '../adapters/ssm-activations.js';
import type { TopicTemplates } from '../domain/messages.js';
import type { SitesConfig } from '../domain/site.js';
import { redeliveryWaitMs } from '../domain/redelivery.js';
import { renderTopic } from '../domain/topics.js';
import type { BatchStore } from '../redis/batch-store.js';
import type { DeviceStore } from '../redis/device-store.js';
import type { JobProducer } from '../redis/job-producer.js';
import type { Lease } from '../redis/lease.js';
import type { BatchRecord, DeviceRecord, DeviceVerifyView } from '../redis/records.js';
import { withAwsRetries, type AwsRetryOptions } from './aws-retry.js';
import { IOT_PUBLISH_BUCKET } from './delivery-service.js';

/** the store calls a reconcile pass makes (narrow ports: the specs hand in in-memory ones) */
export type ReconcileBatches = Pick<
  BatchStore,
  | 'get'
  | 'getMany'
  | 'deviceIds'
  | 'withUnverifiedAcks'
  | 'ackedUnverified'
  | 'ackVersion'
  | 'acksVerified'
  | 'complete'
  | 'expiredBy'
  | 'expire'
  | 'addStrays'
  | 'inState'
  | 'quotaUsed'
>;
export type ReconcileDevices = Pick<DeviceStore, 'getMany' | 'verifyViews' | 'markRegistered' | 'nodeClaims'>;

export interface ReconcileDeps {
  readonly sites: SitesConfig;
  /** each Region's managed-node limit (the sites file's nodeQuota, else the account's) */
  readonly nodeQuota: NodeQuotaLimits;
  readonly batches: ReconcileBatches;
  readonly devices: ReconcileDevices;
  readonly ssm: Pick<SsmActivations, 'nodesOf' | 'delete'>;
  readonly publisher: Pick<IotPublisher, 'clearRetained'>;
  readonly limiter: RateLimiter;
  readonly jobs: Pick<JobProducer, 'addActivation' | 'addDelivery' | 'addRedelivery'>;
  readonly leader: Pick<Lease, 'hold'>;
  readonly topics: TopicTemplates;
  readonly maxRebatches: number;
  /** registered devices' nodes join the tag queue (FLEET_NODE_TAGS=device) */
  readonly tagNodes: boolean;
  /** batches verified at once (default 8) */
  readonly parallelBatches?: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** retries of each idempotent AWS call within a pass */
  readonly awsRetry: AwsRetryOptions;
  /** a batch this long without progress has lost its job (config.pipeline.stuckAfterMs) */
  readonly stuckAfterMs: number;
  /** a device delivered this long ago without an ack gets its credentials again, the batch's later rounds after 2, 4, 8 times as long (config.pipeline.redeliverAfterMs) */
  readonly redeliverAfterMs: number;
  /** AWS IoT's cap on message expiry (604,800 s): retained credentials are republished before it; shorter in tests */
  readonly retainedExpiryCapSeconds?: number;
  readonly clock?: () => number;
}

export interface ReconcileReport {
  readonly leader: boolean;
  readonly registered: number;
  readonly completed: number;
  readonly expired: number;
  readonly redriven: number;
}

const PARALLEL = 64;

export class ReconcileService {
  private readonly now: () => number;

  constructor(private readonly deps: ReconcileDeps) {
    this.now = deps.clock ?? Date.now;
  }

  async tick(): Promise<ReconcileReport> {
    const report = { leader: false, registered: 0, completed: 0, expired: 0, redriven: 0 };
    if (!(await this.deps.leader.hold())) return report;
    report.leader = true;
    let leading = true;
    await this.lanes(await this.deps.batches.withUnverifiedAcks(), this.deps.parallelBatches ?? 8, async (batchId) => {
      // a long pass keeps the lease alive; if another process took it over, this one stops here
      if (!leading || !(leading = await this.deps.leader.hold())) return;
      const r = await this.guard(batchId, () => this.verify(batchId));
      report.registered += r?.registered ?? 0;
      if (r?.completed) report.completed++;
    });
    if (!leading) return report;
    for (const batchId of await this.deps.batches.expiredBy(this.now())) {
      if (!(await this.deps.leader.hold())) return report;
      if (await this.guard(batchId, () => this.expire(batchId))) report.expired++;
    }
    report.redriven = await this.redriveStuck();
    return report;
  }

  /** One batch's failure (AWS down, throttled) must not stop the others; it is retried next pass. */
  private async guard<T>(batchId: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (err) {
      this.deps.logger.warn({ batchId, err: err instanceof Error ? err.message : String(err) }, 'reconcile of batch failed; next pass retries');
      return undefined;
    }
  }

  /**
   * Verifies the batch's new acks (cost ∝ acks, not batch size); completes the batch when nothing is left.
   * The SSM node list is read only when there are acks to verify.
   */
  private async verify(batchId: string): Promise<{ registered: number; completed: boolean; nodes: Set<string> }> {
    const { batches, devices } = this.deps;
    const version = await batches.ackVersion(batchId);
    const batch = await batches.get(batchId);
    if (!batch || batch.state !== 'active' || !batch.activationId) {
      await batches.acksVerified(batchId, version);
      return { registered: 0, completed: false, nodes: new Set() };
    }
    const { acked, stale } = await this.unverifiedAcks(batch);
    let nodes = new Set<string>();
    let registered = 0;
    let left = batch.left;
    let allVerified = true;
    if (acked.length > 0 || stale.length > 0) {
      if (acked.length > 0) nodes = await this.nodesOf(batch);
      const found = await this.verifiedClaims(acked, nodes);
      // each device on its own: one whose credentials cannot be cleared now waits for the next pass
      const done = await this.eachSettled(found, (d) => this.clearRetained([d]));
      left = await devices.markRegistered(batchId, [...done.map((d) => d.deviceId), ...stale], this.now(), this.deps.tagNodes);
      const now = this.now();
      for (const d of done) {
        if (d.times.accepted !== undefined) this.deps.metrics.acceptToRegistered.observe((now - d.times.accepted) / 1000);
      }
      registered = done.length;
      // acks whose node SSM does not show (yet) are looked at again next pass
      allVerified = done.length === acked.length;
    }
    if (left > 0) {
      if (allVerified) await batches.acksVerified(batchId, version);
      return { registered, completed: false, nodes };
    }
    // nothing left: the batch stays in the to-verify set until its activation is gone (a failed delete retries)
    await this.aws(() => this.deps.ssm.delete(batch.region, batch.activationId!));
    const completed = await batches.complete(batchId, this.now());
    await batches.acksVerified(batchId, version);
    if (completed) {
      this.deps.metrics.batchesFinished.inc({ state: 'completed' });
      this.deps.logger.info({ batchId, activationId: batch.activationId }, 'batch completed; activation deleted');
    }
    return { registered, completed, nodes };
  }

  /**
   * The batch's acks not verified yet: its set of new acks (records of those only), or — when that set is
   * empty (acks recorded before it existed) — every member still `acked`. `stale`: ids in the set that are no
   * longer acked devices of this batch (re-enrolled, expired), to be dropped from it.
   */
  private async unverifiedAcks(batch: BatchRecord): Promise<{ acked: DeviceVerifyView[]; stale: string[] }> {
    const ids = await this.deps.batches.ackedUnverified(batch.batchId);
    if (ids.length === 0) return { acked: (await this.members(batch)).filter((d) => d.state === 'acked'), stale: [] };
    const records = await this.deps.devices.verifyViews(ids);
    const acked: DeviceVerifyView[] = [];
    const stale: string[] = [];
    records.forEach((d, i) => {
      if (d && d.batchId === batch.batchId && d.state === 'acked') acked.push(d);
      else stale.push(ids[i]!);
    });
    return { acked, stale };
  }

  /**
   * The acked devices whose node SSM lists for the activation and whose claim on that node is their own
   * (the ack script gives a node to one device only): one real node never registers several devices.
   */
  private async verifiedClaims(acked: readonly DeviceVerifyView[], nodes: ReadonlySet<string>): Promise<DeviceVerifyView[]> {
    const seen = acked.filter((d) => d.managedNodeId !== null && nodes.has(d.managedNodeId));
    const claims = await this.deps.devices.nodeClaims(seen.map((d) => d.managedNodeId!));
    return seen.filter((d) => claims.get(d.managedNodeId!) === d.deviceId);
  }

  private async expire(batchId: string): Promise<boolean> {
    const batch = await this.deps.batches.get(batchId);
    if (!batch || batch.state !== 'active' || !batch.activationId) return false;
    const site = this.deps.sites.sites.get(batch.siteId);
    // devices that did register in time count before the rest is re-batched
    const { nodes: seen, completed } = await this.verify(batchId);
    if (completed) return false;
    const nodes = seen.size > 0 ? seen : await this.nodesOf(batch);
    await this.aws(() => this.deps.ssm.delete(batch.region, batch.activationId!));
    const members = await this.members(batch);
    await this.clearRetained(members.filter((d) => d.state !== 'registered' && d.state !== 'failed'));
    const claimed = new Set(members.map((d) => d.managedNodeId).filter((n): n is string => n !== null));
    const strays = [...nodes].filter((n) => !claimed.has(n)).length;
    if (strays > 0) {
      this.deps.metrics.strays.inc(strays);
      await this.deps.batches.addStrays(batchId, strays);
      this.deps.logger.warn({ batchId, strays }, 'managed nodes registered with the activation but claimed by no device');
    }
    const times = this.deps.maxRebatches + 1;
    const result = await this.deps.batches.expire(
      batchId,
      {
        maxRebatches: this.deps.maxRebatches,
        batchWindowMs: site?.batchWindowMs ?? 0,
        maxBatchSize: site?.maxBatchSize ?? 1000,
        reason:
          `activation expired ${times} time(s) before the device registered: check that the device is online, ` +
          `subscribed to its credentials topic and able to reach SSM, then retry it`,
      },
      this.now(),
    );
    this.deps.metrics.rebatches.inc(result.rebatched);
    this.deps.metrics.batchesFinished.inc({ state: 'expired' });
    this.deps.logger.warn({ batchId, ...result }, 'activation expired; unregistered devices re-batched');
    return true;
  }

  /** Jobs lost to a crash between two steps, and `blocked` batches whose Region has room again. */
  private async redriveStuck(): Promise<number> {
    const { batches, jobs } = this.deps;
    const before = this.now() - this.deps.stuckAfterMs;
    let n = 0;
    // BullMQ keeps one job per id: re-adding a batch's job that is still queued (or delayed) is a no-op
    for (const batchId of [...(await batches.inState('open', before)), ...(await batches.inState('creating', before))]) {
      await jobs.addActivation(batchId);
      n++;
    }
    // one pipelined read for all of them, not a round trip per batch
    for (const b of await batches.getMany(await batches.inState('active'))) {
      if (!b) continue;
      const batchId = b.batchId;
      // each redelivery round of a batch waits twice as long as the one before (domain/redelivery.ts)
      const quietSince = this.now() - redeliveryWaitMs(this.deps.redeliverAfterMs, b.redeliveries);
      if (b.deliveredAt === null && (b.activatedAt ?? 0) <= before) {
        await jobs.addDelivery(batchId);
        n++;
      } else if (b.deliveredAt !== null && b.left > 0 && (b.deliveredAt <= quietSince || retainedRefreshDue(b.deliveredAt, b.expiresAt, this.now(), this.deps.retainedExpiryCapSeconds))) {
        // the redelivery job sets deliveredAt again: one round per interval, only to devices still silent
        // (all of them when their retained message would outlive AWS IoT's cap otherwise)
        const refresh = retainedRefreshDue(b.deliveredAt, b.expiresAt, this.now(), this.deps.retainedExpiryCapSeconds);
        await jobs.addRedelivery(batchId, refresh ? this.now() : quietSince);
        n++;
      }
    }
    const freeByRegion = new Map<string, number>();
    for (const b of await batches.getMany(await batches.inState('blocked'))) {
      if (!b) continue;
      const batchId = b.batchId;
      const quota = await this.deps.nodeQuota.limit(b.region);
      if (!freeByRegion.has(b.region)) {
        freeByRegion.set(b.region, quota === null ? Number.POSITIVE_INFINITY : quota - (await batches.quotaUsed(b.region)));
      }
      const free = freeByRegion.get(b.region)!;
      if (free >= b.size) {
        freeByRegion.set(b.region, free - b.size);
        await jobs.addActivation(batchId);
        n++;
      }
    }
    return n;
  }

  private async members(batch: BatchRecord): Promise<DeviceRecord[]> {
    const records = await this.deps.devices.getMany(await this.deps.batches.deviceIds(batch.batchId));
    return records.filter((d): d is DeviceRecord => d !== null && d.batchId === batch.batchId);
  }

  private async clearRetained(devices: readonly Pick<DeviceRecord, 'siteId' | 'thingName'>[]): Promise<void> {
    for (let i = 0; i < devices.length; i += 100) {
      const chunk = devices.slice(i, i + 100);
      await this.deps.limiter.take(IOT_PUBLISH_BUCKET, chunk.length);
      await this.parallel(chunk, (d) =>
        this.aws(() => this.deps.publisher.clearRetained(renderTopic(this.deps.topics.credentials, { siteId: d.siteId, thingName: d.thingName }))),
      );
    }
  }

  private async nodesOf(batch: BatchRecord): Promise<Set<string>> {
    const nodes = await this.aws(() => this.deps.ssm.nodesOf(batch.region, batch.activationId!));
    return new Set(nodes.map((n) => n.managedNodeId));
  }

  private aws<T>(call: () => Promise<T>): Promise<T> {
    return withAwsRetries(call, this.deps.awsRetry);
  }

  /** Runs `work` for each item (bounded), returns the items it succeeded for; failures are logged. */
  private async eachSettled<T extends { deviceId: string }>(items: readonly T[], work: (item: T) => Promise<void>): Promise<T[]> {
    const ok: T[] = [];
    await this.parallel(items, async (item) => {
      try {
        await work(item);
        ok.push(item);
      } catch (err) {
        this.deps.logger.warn({ deviceId: item.deviceId, err: err instanceof Error ? err.message : String(err) }, 'registration not finished; next pass retries');
      }
    });
    return ok;
  }

  private parallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    return this.lanes(items, PARALLEL, work);
  }

  private async lanes<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < items.length) await work(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  }
}
