/**
 * The tag stage (role `tag`): each registered device's managed node gets its identity tags (`fleet:device`,
 * `fleet:site`) with AddTagsToResource, off the critical path and at its own rate (the adapter takes the
 * tag bucket). A node not tagged now is due again later with backoff; registration never waits for it.
 * Any number of processes may run the role: a claim leases its tasks, so each node is tagged by one at a time.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../adapters/metrics.js';
import type { SsmActivations } from '../adapters/ssm-activations.js';
import { fullJitterBackoff } from '../domain/backoff.js';
import { AwsCallError } from '../domain/errors.js';
import type { Site } from '../domain/site.js';
import type { TagStore, TagTask } from '../redis/tag-store.js';

export interface TagDeps {
  readonly queue: Pick<TagStore, 'claim' | 'finish' | 'retryAt'>;
  readonly ssm: Pick<SsmActivations, 'tagNode'>;
  readonly sites: ReadonlyMap<string, Site>;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** tasks claimed per pass (default 100) */
  readonly claimLimit?: number;
  /** calls in flight at once (default 32); the tag bucket sets the rate */
  readonly concurrency?: number;
  /** a claimed task is due again after this if its claimer vanished (default 60 s) */
  readonly leaseMs?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** the Region when a device's batch record is gone */
  readonly defaultRegion: string;
  readonly clock?: () => number;
  readonly random?: () => number;
}

export interface TagReport {
  readonly claimed: number;
  readonly tagged: number;
  readonly retried: number;
  readonly refused: number;
  /** the claim was full: more may be due now */
  readonly more: boolean;
}

export class TagService {
  private readonly now: () => number;

  constructor(private readonly deps: TagDeps) {
    this.now = deps.clock ?? Date.now;
  }

  /** One pass: claims due tasks, tags their nodes, finishes or reschedules each. */
  async tick(): Promise<TagReport> {
    const { queue } = this.deps;
    const limit = this.deps.claimLimit ?? 100;
    const tasks = await queue.claim(this.now(), this.deps.leaseMs ?? 60_000, limit);
    const tagged: TagTask[] = [];
    const refused: TagTask[] = [];
    const retry: { task: TagTask; dueAt: number }[] = [];
    await this.parallel(tasks, async (t) => {
      try {
        await this.deps.ssm.tagNode(this.regionOf(t), t.managedNodeId, { 'fleet:device': t.deviceId, 'fleet:site': t.siteId });
        tagged.push(t);
      } catch (err) {
        if (err instanceof AwsCallError && err.permanent) {
          refused.push(t);
          this.deps.logger.warn({ deviceId: t.deviceId, managedNodeId: t.managedNodeId, err: err.message }, 'node tags refused; the device stays registered');
        } else {
          const delay = fullJitterBackoff(Math.min(t.retries, 30), this.deps.retryBaseMs ?? 200, this.deps.retryMaxMs ?? 20_000, this.deps.random);
          retry.push({ task: t, dueAt: this.now() + Math.max(1, delay) });
        }
      }
    });
    const now = this.now();
    await queue.finish(tagged, 'tagged', now);
    await queue.finish(refused, 'refused', now);
    await queue.retryAt(retry);
    this.deps.metrics.nodesTagged.inc({ outcome: 'tagged' }, tagged.length);
    this.deps.metrics.nodesTagged.inc({ outcome: 'refused' }, refused.length);
    this.deps.metrics.nodesTagged.inc({ outcome: 'retry' }, retry.length);
    return { claimed: tasks.length, tagged: tagged.length, retried: retry.length, refused: refused.length, more: tasks.length === limit };
  }

  private regionOf(t: TagTask): string {
    return t.region || this.deps.sites.get(t.siteId)?.region || this.deps.defaultRegion;
  }

  private async parallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < items.length) await work(items[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.concurrency ?? 32, items.length) }, lane));
  }
}
