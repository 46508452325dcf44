import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/adapters/metrics.js';
import type { ActivationTier, SsmAccount } from '../../../src/adapters/ssm-account.js';
import type { Site, SitesConfig } from '../../../src/domain/site.js';
import type { QuotaHeld } from '../../../src/redis/quota-store.js';
import { NodeQuotaService } from '../../../src/services/node-quota-service.js';

class FakeAccount implements SsmAccount {
  tier: ActivationTier = 'standard';
  nodes = 0;
  fail: Error | undefined;
  calls = 0;
  async activationTier(): Promise<ActivationTier> {
    this.calls++;
    if (this.fail) throw this.fail;
    return this.tier;
  }
  async countManagedNodes(_region: string, atMost: number): Promise<number> {
    return Math.min(this.nodes, atMost + 50);
  }
}

class FakeHeld {
  value: QuotaHeld = { used: 0, pending: 0 };
  async held(): Promise<QuotaHeld> {
    return this.value;
  }
}

const site = (id: string, region: string): Site => ({ id, region, iamRole: 'R', maxBatchSize: 100, batchWindowMs: 100, activationTtlHours: 24, tags: {} });

function setup(sites: Partial<SitesConfig> = {}) {
  let clock = 1_000_000;
  const account = new FakeAccount();
  const held = new FakeHeld();
  const config: SitesConfig = {
    sites: new Map([['a', site('a', 'us-east-1')], ['b', site('b', 'eu-west-1')]]),
    regions: new Map(),
    defaultNodeQuota: 'account',
    ...sites,
  };
  const service = new NodeQuotaService({ sites: config, account, held, logger: pino({ level: 'silent' }), refreshEveryMs: 60_000, now: () => clock });
  return { service, account, held, tick: (ms: number) => (clock += ms) };
}

describe('NodeQuotaService', () => {
  it('standard tier: the limit leaves room for 1,000 minus every node already there, foreign ones included', async () => {
    const { service, account } = setup();
    account.nodes = 300;
    expect(await service.limit('us-east-1')).toBe(700);
    expect(service.status('us-east-1')).toMatchObject({ source: 'account', tier: 'standard', quota: 1000, accountNodes: 300, room: 700 });
  });

  it('counts fleet-enroll’s registered nodes once: they are in the account and in the used counter', async () => {
    const { service, account, held } = setup();
    // 300 foreign + 500 of ours registered; 100 more reserved by a live batch and not registered yet
    account.nodes = 800;
    held.value = { used: 600, pending: 100 };
    const limit = await service.limit('us-east-1');
    // the reserve script admits a batch while used + size <= limit: room = limit - used = 1000 - 800 - 100
    expect(limit! - held.value.used).toBe(100);
    expect(service.status('us-east-1').room).toBe(100);
  });

  it('advanced tier: unlimited, and the node count is not even read', async () => {
    const { service, account } = setup();
    account.tier = 'advanced';
    account.nodes = 5_000;
    expect(await service.limit('us-east-1')).toBeNull();
    expect(service.status('us-east-1')).toMatchObject({ tier: 'advanced', quota: null, accountNodes: null, room: null });
  });

  it('reads again once the reading is older than the refresh interval, so a tier change unblocks', async () => {
    const { service, account, tick } = setup();
    account.nodes = 1000;
    expect(await service.limit('us-east-1')).toBe(0);
    account.tier = 'advanced';
    tick(59_000);
    expect(await service.limit('us-east-1')).toBe(0);
    tick(1_000);
    expect(await service.limit('us-east-1')).toBeNull();
  });

  it('refresh() reads every account Region; nodes deregistered elsewhere give room back', async () => {
    const { service, account } = setup();
    account.nodes = 1000;
    await service.refresh();
    expect(account.calls).toBe(2);
    expect(service.status('eu-west-1').room).toBe(0);
    account.nodes = 400;
    await service.refresh();
    expect(service.status('eu-west-1').room).toBe(600);
  });

  it('a configured nodeQuota overrides the account and never calls it', async () => {
    const { service, account } = setup({ regions: new Map([['eu-west-1', { nodeQuota: 50 }]]), defaultNodeQuota: null });
    expect(await service.limit('eu-west-1')).toBe(50);
    expect(await service.limit('us-east-1')).toBeNull();
    expect(service.accountRegions()).toEqual([]);
    expect(account.calls).toBe(0);
    expect(service.status('eu-west-1')).toMatchObject({ source: 'sites-file', quota: 50 });
  });

  it('a failed reading keeps the last good one and says why; with none yet there is no room', async () => {
    const { service, account, tick } = setup();
    account.fail = new Error('GetServiceSetting failed: AccessDeniedException: not authorized');
    expect(await service.limit('us-east-1')).toBe(0);
    expect(service.status('us-east-1')).toMatchObject({ source: 'account', readAt: null, error: expect.stringMatching(/AccessDenied/) });
    account.fail = undefined;
    account.nodes = 10;
    expect(await service.limit('us-east-1')).toBe(990);
    account.fail = new Error('GetServiceSetting failed: ThrottlingException: Rate exceeded');
    tick(61_000);
    expect(await service.limit('us-east-1')).toBe(990);
    expect(service.status('us-east-1').error).toMatch(/Throttling/);
  });

  it('asks once for concurrent callers', async () => {
    const { service, account } = setup();
    await Promise.all([service.limit('us-east-1'), service.limit('us-east-1'), service.limit('us-east-1')]);
    expect(account.calls).toBe(1);
  });

  it('sets the room gauge per Region at each reading: -1 for the advanced tier', async () => {
    const metrics = new Metrics();
    const account = new FakeAccount();
    const config: SitesConfig = { sites: new Map([['a', site('a', 'us-east-1')]]), regions: new Map(), defaultNodeQuota: 'account' };
    const service = new NodeQuotaService({ sites: config, account, held: new FakeHeld(), logger: pino({ level: 'silent' }), metrics, refreshEveryMs: 60_000, now: () => 0 });
    account.nodes = 250;
    await service.refresh();
    expect((await metrics.nodeQuotaRoom.get()).values).toEqual([expect.objectContaining({ labels: { region: 'us-east-1' }, value: 750 })]);
    account.tier = 'advanced';
    await service.refresh();
    expect((await metrics.nodeQuotaRoom.get()).values).toEqual([expect.objectContaining({ labels: { region: 'us-east-1' }, value: -1 })]);
  });

  it('status: when it was read, and account Regions listed once each, sorted', async () => {
    const { service, account } = setup({ sites: new Map([['a', site('a', 'us-east-1')], ['b', site('b', 'eu-west-1')], ['c', site('c', 'us-east-1')]]) });
    expect(service.status('us-east-1').readAt).toBeNull();
    expect(service.accountRegions()).toEqual(['eu-west-1', 'us-east-1']);
    account.nodes = 1;
    await service.refresh();
    expect(service.status('us-east-1').readAt).toBe(new Date(1_000_000).toISOString());
  });

  it('reads again after refreshEveryMs as given, one minute unless told', () => {
    const config: SitesConfig = { sites: new Map(), regions: new Map(), defaultNodeQuota: 'account' };
    const deps = { sites: config, account: new FakeAccount(), held: new FakeHeld(), logger: pino({ level: 'silent' }) };
    expect(new NodeQuotaService({ ...deps, refreshEveryMs: 5_000 }).refreshEveryMs).toBe(5_000);
    expect(new NodeQuotaService(deps).refreshEveryMs).toBe(60_000);
  });
});
