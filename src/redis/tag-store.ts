/** The tag queue (`tagq`, `tagn`; its scripts are scripts/tag-*.lua): managed nodes waiting for their device tags. */
import type { RedisConnection } from './redis-connection.js';
import type { Keys } from './keys.js';
import type { RedisScripts } from './redis-scripts.js';

export interface TagTask {
  /** `<siteId>/<deviceId>`: the queue member */
  readonly member: string;
  readonly deviceId: string;
  readonly siteId: string;
  readonly managedNodeId: string;
  /** the Region of the device's batch, '' when that record is gone */
  readonly region: string;
  /** failed tries so far */
  readonly retries: number;
}

export class TagStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: Keys,
    private readonly scripts: RedisScripts,
  ) {}

  /** Up to `limit` due tasks, each leased for `leaseMs` (due again then unless finished or rescheduled). */
  async claim(now: number, leaseMs: number, limit: number): Promise<TagTask[]> {
    const flat = (await this.scripts.run('fleetTagClaim', this.keys.tagQueue, [this.keys.root, now, leaseMs, limit])) as (string | number)[];
    const tasks: TagTask[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      const member = String(flat[i]);
      const slash = member.indexOf('/');
      tasks.push({
        member,
        siteId: member.slice(0, slash),
        deviceId: member.slice(slash + 1),
        managedNodeId: String(flat[i + 1]),
        region: String(flat[i + 2]),
        retries: Number(flat[i + 3]),
      });
    }
    return tasks;
  }

  /** `tagged`: the device's node has its tags; `refused`: AWS refused them for good. */
  async finish(tasks: readonly TagTask[], outcome: 'tagged' | 'refused', now: number): Promise<number> {
    if (tasks.length === 0) return 0;
    const args: (string | number)[] = [this.keys.root, now, outcome === 'tagged' ? 'd' : 'x'];
    for (const t of tasks) args.push(t.member, t.managedNodeId);
    return (await this.scripts.run('fleetTagDone', this.keys.tagQueue, args)) as number;
  }

  /** Each task due again at its own time. */
  async retryAt(tasks: readonly { task: TagTask; dueAt: number }[]): Promise<number> {
    if (tasks.length === 0) return 0;
    const args: (string | number)[] = [this.keys.root];
    for (const { task, dueAt } of tasks) args.push(task.member, dueAt);
    return (await this.scripts.run('fleetTagRetry', this.keys.tagQueue, args)) as number;
  }

  /** Devices whose node waits for its tags, per site. */
  async backlog(siteId: string): Promise<number> {
    return Math.max(0, Number((await this.redis.hget(this.keys.tagBacklog, siteId)) ?? 0));
  }

  /** Devices whose node waits for its tags, all sites. */
  async backlogTotal(): Promise<number> {
    return this.redis.zcard(this.keys.tagQueue);
  }
}
