/**
 * One CreateActivation per batch (ARCHITECTURE.md flow step 3), safe against lost answers, crashes and
 * concurrent workers:
 *  - a lease per batch, so a stalled job's twin does not run the same attempt;
 *  - node quota per Region reserved first (no room → `blocked: quota`; reconcile re-drives it);
 *  - the attempt is recorded before the call, and before every call the activations a lost answer may have
 *    left (found by DefaultInstanceName) are deleted — a batch never has two live ones;
 *  - throttling delays without using an attempt; other retryable errors back off (full jitter) up to
 *    `retry.maxAttempts`; a permanent error or the last attempt fails the batch with the AWS message.
 */
import type { NodeQuotaLimits } from './node-quota-service.js';
import type { Logger } from 'pino';
import type { CodeCipher } from '../adapters/code-cipher.js';
import type { Metrics } from '../adapters/metrics.js';
import type { SsmActivations } from '../adapters/ssm-activations.js';
import type { RetryPolicy } from '../config.js';
import { buildCreateActivationRequest, defaultInstanceNameFor } from '../domain/activation-request.js';
import { fullJitterBackoff } from '../domain/backoff.js';
import { AwsCallError, FleetError } from '../domain/errors.js';
import type { SitesConfig } from '../domain/site.js';
import type { BatchStore } from '../redis/batch-store.js';
import type { JobProducer } from '../redis/job-producer.js';
import type { Lease } from '../redis/lease.js';
import { newDeliveryNonce } from './batch-ids.js';

export type ActivationOutcome =
  | { readonly kind: 'activated'; readonly activationId: string; readonly devices: number }
  | { readonly kind: 'skipped'; readonly why: string }
  | { readonly kind: 'blocked' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly why: string }
  | { readonly kind: 'failed'; readonly reason: string };

export interface ActivationDeps {
  readonly sites: SitesConfig;
  /** each Region's managed-node limit (the sites file's nodeQuota, else the account's) */
  readonly nodeQuota: NodeQuotaLimits;
  readonly batches: BatchStore;
  readonly ssm: SsmActivations;
  readonly cipher: CodeCipher;
  readonly jobs: Pick<JobProducer, 'addDelivery'>;
  readonly lease: (batchId: string) => Lease;
  readonly retry: RetryPolicy;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly clock?: () => number;
  readonly random?: () => number;
  /** waits (the read-after-write delay before the last clean-up); a fake clock's in specs */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** another worker holds the batch: look again shortly */
const LEASE_BUSY_DELAY_MS = 2_000;

export class ActivationService {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: ActivationDeps) {
    this.now = deps.clock ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async activate(batchId: string): Promise<ActivationOutcome> {
    const { batches } = this.deps;
    const batch = await batches.get(batchId);
    if (!batch) return { kind: 'skipped', why: 'no such batch' };
    if (batch.state === 'active') {
      // a lost delivery job after a crash: the batch is activated, make sure its devices get it
      if (batch.deliveredAt === null) await this.deps.jobs.addDelivery(batchId);
      return { kind: 'skipped', why: 'already active' };
    }
    if (batch.state !== 'open' && batch.state !== 'creating' && batch.state !== 'blocked') {
      return { kind: 'skipped', why: `batch is ${batch.state}` };
    }
    const site = this.deps.sites.sites.get(batch.siteId);
    if (!site) return this.fail(batchId, `site "${batch.siteId}" is no longer configured; configure it and retry the batch`);

    const lease = this.deps.lease(`batch:${batchId}`);
    if (!(await lease.hold())) return { kind: 'retry', delayMs: LEASE_BUSY_DELAY_MS, why: 'batch held by another worker' };
    let attempt = 0;
    try {
      const quota = await this.deps.nodeQuota.limit(batch.region);
      if (!(await batches.reserveQuota(batchId, quota, this.now()))) {
        this.deps.metrics.quotaBlocked.inc();
        this.deps.logger.warn({ batchId, region: batch.region, size: batch.size, quota }, 'batch blocked: managed-node quota');
        return { kind: 'blocked' };
      }
      attempt = await batches.beginAttempt(batchId, this.now());
      if (attempt === 0) return { kind: 'skipped', why: 'batch moved on' };
      if (attempt > 1) this.deps.metrics.activationRetries.inc();
      // also before the first recorded attempt: Redis restarted from its AOF (everysec) can have lost the
      // record of an earlier one whose activation exists; one DescribeActivations per batch buys certainty
      await this.deleteOrphans(batch.region, batchId);
      const request = buildCreateActivationRequest({ batchId, siteId: site.id, size: batch.size, site, now: new Date(this.now()) });
      const created = await this.deps.ssm.create(batch.region, request);
      const sealedCode = this.deps.cipher.seal(created.activationCode, batchId);
      const devices = await batches.activated(
        batchId,
        { activationId: created.activationId, sealedCode, expiresAt: request.ExpirationDate.getTime(), nonce: newDeliveryNonce(), attempt },
        this.now(),
      );
      if (devices < 0) {
        // the batch was failed, re-driven or attempted again while we called: this activation would be a second one
        await this.deps.ssm.delete(batch.region, created.activationId);
        return { kind: 'skipped', why: 'batch changed during the call; activation deleted' };
      }
      await this.deps.jobs.addDelivery(batchId);
      this.deps.logger.info({ batchId, activationId: created.activationId, devices, attempt }, 'batch activated');
      return { kind: 'activated', activationId: created.activationId, devices };
    } catch (err) {
      return await this.onError(batchId, batch.region, attempt, err);
    } finally {
      await lease.release().catch(() => undefined);
    }
  }

  private async onError(batchId: string, region: string, attempt: number, err: unknown): Promise<ActivationOutcome> {
    const { retry, metrics, logger } = this.deps;
    if (err instanceof AwsCallError && err.throttled) {
      const throttles = await this.deps.batches.throttled(batchId);
      metrics.activationThrottles.inc();
      const delayMs = Math.max(100, fullJitterBackoff(Math.min(throttles - 1, 10), retry.baseDelayMs, retry.maxDelayMs, this.random));
      return { kind: 'retry', delayMs, why: err.message };
    }
    if (err instanceof FleetError && err.permanent) {
      return this.fail(batchId, err.message);
    }
    if (err instanceof AwsCallError) {
      if (attempt >= retry.maxAttempts) {
        // the last attempt's answer may have been lost too: leave no usable activation behind, once SSM's
        // reads can show it (read-after-write delay)
        await this.sleep(retry.readAfterWriteMs);
        await this.deleteOrphans(region, batchId).catch((e: unknown) => logger.warn({ batchId, err: String(e) }, 'orphan cleanup failed'));
        return this.fail(batchId, `gave up after ${attempt} attempts: ${err.message}`);
      }
      // the next attempt's orphan lookup must come after the read-after-write delay, or it may miss this one's
      const delayMs = Math.max(retry.readAfterWriteMs, fullJitterBackoff(Math.max(0, attempt - 1), retry.baseDelayMs, retry.maxDelayMs, this.random));
      logger.warn({ batchId, attempt, error: err.message, delayMs }, 'CreateActivation failed, retrying');
      return { kind: 'retry', delayMs, why: err.message };
    }
    throw err; // not an AWS answer (Redis, a bug): BullMQ's own attempts
  }

  private async deleteOrphans(region: string, batchId: string): Promise<void> {
    const orphans = await this.deps.ssm.findByDefaultInstanceName(region, defaultInstanceNameFor(batchId));
    for (const o of orphans) {
      if (await this.deps.ssm.delete(region, o.activationId)) {
        this.deps.metrics.orphansDeleted.inc();
        this.deps.logger.warn({ batchId, activationId: o.activationId }, 'orphan activation of a lost attempt deleted');
      }
    }
  }

  private async fail(batchId: string, reason: string): Promise<ActivationOutcome> {
    const devices = await this.deps.batches.fail(batchId, reason, this.now());
    if (devices >= 0) this.deps.metrics.batchesFinished.inc({ state: 'failed' });
    this.deps.logger.error({ batchId, devices, reason }, 'batch failed');
    return { kind: 'failed', reason };
  }
}

