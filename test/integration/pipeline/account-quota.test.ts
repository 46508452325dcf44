/**
 * Tier-aware admission against the emulator's account, through the unmodified SDK: with no nodeQuota in
 * the sites file the room is read from the Region's activation tier and its managed nodes, whoever
 * registered them. Standard tier with 300 foreign nodes → exactly 700 devices (two batches of 350) get
 * credentials, the last batch (300) waits `blocked: quota`; UpdateServiceSetting to advanced → they go on by themselves at the next reading.
 * Advanced from the start → nothing blocks.
 */
import { UpdateServiceSettingCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.js';

const TIER = '/ssm/managed-instance/activation-tier';
let h: PipelineHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function batchesIn(harness: PipelineHarness, state: 'blocked' | 'active' | 'completed'): Promise<string[]> {
  return harness.redis.zrange(harness.keys.batchesIn(state), '0', '-1');
}

describe('pipeline: node quota read from the account', () => {
  it('standard tier with 300 foreign nodes: exactly the remaining 700 handed out; advanced unblocks the rest', async () => {
    h = await PipelineHarness.start({
      sites: [{ id: 'acct-s', maxBatchSize: 350 }],
      nodeQuota: 'account',
      nodeQuotaRefreshMs: 500,
      emulator: { nodeQuota: undefined, tier: 'standard' },
    });
    h.emulator.addForeignNodes(300, 'us-east-1');
    // the reading at start may predate the foreign nodes: wait for one that sees them
    await h.waitFor(() => h!.app.services.site('acct-s').then((s) => s?.nodeQuota?.accountNodes === 300), 5_000, async () => JSON.stringify(await h!.app.services.site('acct-s')));

    await h.enroll(h.events('acct-s', 1_000));
    await h.waitFor(
      async () => (await h!.counts('acct-s')).registered === 700 && (await batchesIn(h!, 'blocked')).length === 1,
      30_000,
      () => h!.describeCounts(['acct-s']),
    );
    // a few more readings and reconcile passes: still nothing beyond the room
    await new Promise((r) => setTimeout(r, 1_500));
    const counts = await h.counts('acct-s');
    expect(counts.registered).toBe(700);
    expect(counts.delivered + counts.acked + counts.activated).toBe(0);
    expect(h.emulator.state.nodes.live).toBe(1_000);
    // AWS never had to refuse a registration: the room was known before credentials went out
    expect(h.emulator.state.operations['ssm.RegisterManagedInstance']?.rejected ?? 0).toBe(0);
    for (const id of await batchesIn(h, 'blocked')) {
      expect(await h.app.services.batch(id)).toMatchObject({ state: 'blocked', blockedReason: 'quota', size: 300, activationId: null });
    }
    const site = await h.app.services.site('acct-s');
    expect(site?.nodeQuota).toMatchObject({ region: 'us-east-1', source: 'account', tier: 'standard', quota: 1000, accountNodes: 1000, room: 0 });

    const ssm = new SSMClient({ region: 'us-east-1', maxAttempts: 1 });
    try {
      await ssm.send(new UpdateServiceSettingCommand({ SettingId: TIER, SettingValue: 'advanced' }));
    } finally {
      ssm.destroy();
    }
    await h.waitFor(async () => (await h!.counts('acct-s')).registered === 1_000, 30_000, () => h!.describeCounts(['acct-s']));
    expect(h.emulator.state.nodes.live).toBe(1_300);
    expect((await h.app.services.site('acct-s'))?.nodeQuota).toMatchObject({ source: 'account', tier: 'advanced', quota: null, room: null });
  }, 90_000);

  it('advanced tier from the start: nothing blocks', async () => {
    h = await PipelineHarness.start({
      sites: [{ id: 'acct-a', maxBatchSize: 300 }],
      nodeQuota: 'account',
      nodeQuotaRefreshMs: 500,
      emulator: { nodeQuota: undefined, tier: 'advanced' },
    });
    // 200 foreign + 900 ours: past what the standard tier would take
    h.emulator.addForeignNodes(200, 'us-east-1');
    await h.enroll(h.events('acct-a', 900));
    await h.waitFor(async () => (await h!.counts('acct-a')).registered === 900, 40_000, async () => `${await h!.describeCounts(['acct-a'])} ${h!.logs.lines.filter((l) => /warn|error|"level":[45]0/.test(l)).slice(-15).join('')} ${JSON.stringify(h!.emulator.state.operations)}`);
    const metrics = await h.metrics.registry.metrics();
    expect(metrics).toMatch(/fleet_quota_blocked_total 0/);
    expect(metrics).toMatch(/fleet_node_quota_room\{region="us-east-1"\} -1/);
    expect(h.emulator.state.nodes.live).toBe(1_100);
  }, 90_000);
});
