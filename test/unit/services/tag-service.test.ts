/** TagService with an in-memory tag queue and SSM fake, and an injected clock: what gets tagged, retried, refused. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/adapters/metrics.js';
import { AwsCallError } from '../../../src/domain/errors.js';
import type { Site } from '../../../src/domain/site.js';
import type { TagTask } from '../../../src/redis/tag-store.js';
import { TagService } from '../../../src/services/tag-service.js';

/** The tag queue's contract (claim leases, finish removes, retryAt reschedules) over a Map. */
class FakeTagQueue {
  readonly due = new Map<string, { task: TagTask; dueAt: number }>();
  readonly finished: { member: string; outcome: string; at: number }[] = [];

  add(deviceId: string, siteId: string, node: string, region = ''): void {
    const member = `${siteId}/${deviceId}`;
    this.due.set(member, { task: { member, deviceId, siteId, managedNodeId: node, region, retries: 0 }, dueAt: 0 });
  }
  async claim(now: number, leaseMs: number, limit: number): Promise<TagTask[]> {
    const out = [...this.due.values()].filter((e) => e.dueAt <= now).slice(0, limit);
    for (const e of out) e.dueAt = now + leaseMs;
    return out.map((e) => e.task);
  }
  async finish(tasks: readonly TagTask[], outcome: 'tagged' | 'refused', now: number): Promise<number> {
    for (const t of tasks) {
      this.due.delete(t.member);
      this.finished.push({ member: t.member, outcome, at: now });
    }
    return tasks.length;
  }
  async retryAt(tasks: readonly { task: TagTask; dueAt: number }[]): Promise<number> {
    for (const { task, dueAt } of tasks) this.due.set(task.member, { task: { ...task, retries: task.retries + 1 }, dueAt });
    return tasks.length;
  }
}

const throttled = new AwsCallError('AWS_THROTTLED', 'AddTagsToResource', 'ThrottlingException', 'Rate exceeded', 400);
const refused = new AwsCallError('AWS_PERMANENT', 'AddTagsToResource', 'InvalidResourceId', 'no such node', 400);

function setup(fail: (node: string, call: number) => Error | undefined = () => undefined) {
  let now = 1_000;
  const queue = new FakeTagQueue();
  const calls: { region: string; node: string; tags: Record<string, string> }[] = [];
  const ssm = {
    async tagNode(region: string, node: string, tags: Readonly<Record<string, string>>): Promise<void> {
      calls.push({ region, node, tags: { ...tags } });
      const err = fail(node, calls.length);
      if (err) throw err;
    },
  };
  const sites = new Map<string, Site>([['s1', { id: 's1', region: 'eu-west-1' } as Site]]);
  const metrics = new Metrics();
  const service = new TagService({
    queue,
    ssm,
    sites,
    metrics,
    logger: pino({ level: 'silent' }),
    defaultRegion: 'us-east-1',
    claimLimit: 3,
    retryBaseMs: 100,
    retryMaxMs: 1_000,
    clock: () => now,
    random: () => 0.5,
  });
  return { queue, calls, service, metrics, advance: (ms: number) => (now += ms), now: () => now };
}

describe('TagService', () => {
  it('tags each node with its device and site, in its batch Region or else its site Region, and finishes it', async () => {
    const t = setup();
    t.queue.add('SN-1', 's1', 'mi-00000000000000001', 'eu-central-1');
    t.queue.add('SN-2', 's1', 'mi-00000000000000002');
    t.queue.add('SN-3', 'gone-site', 'mi-00000000000000003');
    expect(await t.service.tick()).toEqual({ claimed: 3, tagged: 3, retried: 0, refused: 0, more: true });
    expect(t.calls).toEqual([
      { region: 'eu-central-1', node: 'mi-00000000000000001', tags: { 'fleet:device': 'SN-1', 'fleet:site': 's1' } },
      { region: 'eu-west-1', node: 'mi-00000000000000002', tags: { 'fleet:device': 'SN-2', 'fleet:site': 's1' } },
      { region: 'us-east-1', node: 'mi-00000000000000003', tags: { 'fleet:device': 'SN-3', 'fleet:site': 'gone-site' } },
    ]);
    expect(t.queue.finished.map((f) => f.outcome)).toEqual(['tagged', 'tagged', 'tagged']);
    expect(t.queue.due.size).toBe(0);
    expect(await t.service.tick()).toMatchObject({ claimed: 0, more: false });
  });

  it('claims no more than its limit per pass and says when more may be due', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) t.queue.add(`SN-${i}`, 's1', `mi-0000000000000000${i}`);
    expect(await t.service.tick()).toMatchObject({ claimed: 3, tagged: 3, more: true });
    expect(await t.service.tick()).toMatchObject({ claimed: 2, tagged: 2, more: false });
  });

  it('a throttled node is due again after a backoff that grows with its retries, and is tagged once AWS recovers', async () => {
    let throttling = true;
    const t = setup(() => (throttling ? throttled : undefined));
    t.queue.add('SN-1', 's1', 'mi-00000000000000001');
    expect(await t.service.tick()).toMatchObject({ claimed: 1, retried: 1, tagged: 0 });
    // full jitter with random 0.5: half of min(max, base · 2^retries) = 50 ms after the first failure
    expect(t.queue.due.get('s1/SN-1')!.dueAt).toBe(t.now() + 50);
    expect(await t.service.tick()).toMatchObject({ claimed: 0 });
    t.advance(50);
    expect(await t.service.tick()).toMatchObject({ claimed: 1, retried: 1 });
    expect(t.queue.due.get('s1/SN-1')!.dueAt).toBe(t.now() + 100);
    throttling = false;
    t.advance(100);
    expect(await t.service.tick()).toMatchObject({ claimed: 1, tagged: 1 });
    expect(t.queue.finished).toEqual([{ member: 's1/SN-1', outcome: 'tagged', at: t.now() }]);
    const text = await t.metrics.registry.metrics();
    expect(text).toContain('fleet_node_tags_total{outcome="retry"} 2');
    expect(text).toContain('fleet_node_tags_total{outcome="tagged"} 1');
  });

  it('a node AWS refuses for good (permanent error) is finished as refused, the others still tagged', async () => {
    const t = setup((node) => (node === 'mi-00000000000000002' ? refused : undefined));
    t.queue.add('SN-1', 's1', 'mi-00000000000000001');
    t.queue.add('SN-2', 's1', 'mi-00000000000000002');
    expect(await t.service.tick()).toMatchObject({ tagged: 1, refused: 1, retried: 0 });
    expect(t.queue.finished.map((f) => [f.member, f.outcome]).sort()).toEqual([
      ['s1/SN-1', 'tagged'],
      ['s1/SN-2', 'refused'],
    ]);
  });

  it('backoff is capped: a node throttled many times is due again within the maximum', async () => {
    const t = setup(() => throttled);
    t.queue.add('SN-1', 's1', 'mi-00000000000000001');
    for (let i = 0; i < 12; i++) {
      await t.service.tick();
      const dueAt = t.queue.due.get('s1/SN-1')!.dueAt;
      expect(dueAt - t.now()).toBeLessThanOrEqual(500);
      t.advance(dueAt - t.now());
    }
  });

  it('counts each outcome in the metric, and leases claimed tasks for a minute unless told', async () => {
    const t = setup((node, call) => (node === 'mi-00000000000000002' ? refused : node === 'mi-00000000000000003' && call < 10 ? throttled : undefined));
    t.queue.add('SN-1', 's1', 'mi-00000000000000001');
    t.queue.add('SN-2', 's1', 'mi-00000000000000002');
    t.queue.add('SN-3', 's1', 'mi-00000000000000003');
    await t.service.tick();
    const byOutcome = Object.fromEntries((await t.metrics.nodesTagged.get()).values.map((v) => [v.labels.outcome, v.value]));
    expect(byOutcome).toEqual({ tagged: 1, refused: 1, retry: 1 });
    const leased = new FakeTagQueue();
    const seen: number[] = [];
    leased.claim = async (_now, leaseMs) => (seen.push(leaseMs), []);
    const service = new TagService({ queue: leased, ssm: { tagNode: async () => undefined }, sites: new Map(), metrics: new Metrics(), logger: pino({ level: 'silent' }), defaultRegion: 'us-east-1' });
    await service.tick();
    expect(seen).toEqual([60_000]);
  });

  it('tags at most `concurrency` nodes at once', async () => {
    const queue = new FakeTagQueue();
    for (let i = 0; i < 6; i++) queue.add(`SN-${i}`, 's1', `mi-0000000000000000${i}`);
    let inFlight = 0;
    let most = 0;
    const ssm = {
      tagNode: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
      },
    };
    const service = new TagService({ queue, ssm, sites: new Map(), metrics: new Metrics(), logger: pino({ level: 'silent' }), defaultRegion: 'us-east-1', concurrency: 2 });
    expect(await service.tick()).toMatchObject({ tagged: 6 });
    expect(most).toBe(2);
  });
});
