/** ListingService: what a page keeps of the records it reads (filters on read), batch listings and the overview. */
import { describe, expect, it } from 'vitest';
import type { BatchState } from '../../../src/domain/batch-state.js';
import type { DeviceState } from '../../../src/domain/device-state.js';
import type { BatchStore } from '../../../src/redis/batch-store.js';
import type { DeviceStore } from '../../../src/redis/device-store.js';
import type { IndexPage, IndexQuery, ListingStore } from '../../../src/redis/listing-store.js';
import type { BatchRecord, DeviceRecord } from '../../../src/redis/records.js';
import type { RetentionStore } from '../../../src/redis/retention-store.js';
import { ListingService, OVERVIEW_WINDOW_MS, toBatchSummary } from '../../../src/services/listing-service.js';
import type { SiteView } from '../../../src/services/views.js';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');

const batch = (batchId: string, siteId: string, state: BatchState, extra: Partial<BatchRecord> = {}): BatchRecord => ({
  batchId,
  siteId,
  state,
  region: 'us-east-1',
  size: 4,
  left: 3,
  registered: 1,
  activationId: 'act-1',
  sealedCode: 'sealed',
  nonce: 'n',
  expiresAt: NOW + 3_600_000,
  attempts: 1,
  throttles: 0,
  error: null,
  blockedReason: state === 'blocked' ? 'quota' : null,
  strays: 0,
  cutAt: NOW - 60_000,
  activatedAt: NOW - 50_000,
  deliveredAt: null,
  redeliveries: 0,
  updatedAt: NOW - 1000,
  ...extra,
});

const device = (deviceId: string, siteId: string, state: DeviceState, updatedAt: number | null): DeviceRecord => ({
  deviceId,
  state,
  siteId,
  thingName: deviceId,
  attributes: {},
  batchId: null,
  activationId: null,
  deliveryId: null,
  managedNodeId: null,
  error: null,
  rebatches: 0,
  times: {},
  updatedAt,
  tagState: null,
  taggedAt: null,
});

/** One index page per site, holding the given ids in order; every call is recorded. */
class OnePageIndex {
  readonly queries: IndexQuery[] = [];
  constructor(private readonly ids: Record<string, string[]>) {}
  async page(q: IndexQuery): Promise<IndexPage> {
    this.queries.push(q);
    const ids = this.ids[q.siteId] ?? [];
    return { ids, last: ids.length > 0 ? String(ids.length) : '', done: true, lookedAt: ids.length };
  }
}

function setup(opts: { ids?: Record<string, string[]>; devices?: DeviceRecord[]; batches?: BatchRecord[]; indexed?: Partial<Record<BatchState, string[]>> } = {}) {
  const index = new OnePageIndex(opts.ids ?? {});
  const devices = new Map((opts.devices ?? []).map((d) => [d.deviceId, d]));
  const batches = new Map((opts.batches ?? []).map((b) => [b.batchId, b]));
  const inStateCalls: BatchState[] = [];
  const finishedSinceCalls: [string, number][] = [];
  const service = new ListingService({
    listing: index as unknown as ListingStore,
    devices: { getMany: async (ids: readonly string[]) => ids.map((id) => devices.get(id) ?? null) } as unknown as DeviceStore,
    batches: {
      get: async (id: string) => batches.get(id) ?? null,
      // the state index as Redis keeps it: given, or every record in that state
      inState: async (state: BatchState) => {
        inStateCalls.push(state);
        return opts.indexed?.[state] ?? [...batches.values()].filter((b) => b.state === state).map((b) => b.batchId);
      },
    } as unknown as BatchStore,
    retention: {
      expiredCounts: async (siteId: string) => ({ registered: siteId.length, failed: 1 }),
      finishedSince: async (siteId: string, since: number) => (finishedSinceCalls.push([siteId, since]), 5),
    } as unknown as RetentionStore,
    siteView: async (siteId: string): Promise<SiteView | null> =>
      siteId === 'gone'
        ? null
        : { siteId, counts: { accepted: 0, batched: 0, activated: 0, delivered: 0, acked: 0, registered: 0, failed: 0 }, buffered: 0, nextCutAt: null, tagBacklog: 0 },
    clock: () => NOW,
  });
  return { service, index, inStateCalls, finishedSinceCalls };
}

describe('ListingService.devices: filters on read', () => {
  it('drops records gone, moved to a site not listed, or no longer in the state asked for', async () => {
    const { service } = setup({
      ids: { a: ['D-1', 'D-2', 'D-3', 'D-4'] },
      devices: [device('D-1', 'a', 'failed', NOW), device('D-2', 'b', 'failed', NOW), device('D-3', 'a', 'registered', NOW)],
    });
    const failed = await service.devices({ siteIds: ['a'], state: 'failed', limit: 10 });
    expect(failed.items.map((d) => d.deviceId)).toEqual(['D-1']);
    const all = await service.devices({ siteIds: ['a'], limit: 10 });
    expect(all.items.map((d) => d.deviceId)).toEqual(['D-1', 'D-3']);
    expect(all.nextCursor).toBeNull();
  });

  it('since: keeps records changed at or after it; a record never updated counts as changed at 0', async () => {
    const { service } = setup({
      ids: { a: ['D-old', 'D-edge', 'D-new', 'D-never'] },
      devices: [device('D-old', 'a', 'accepted', NOW - 1), device('D-edge', 'a', 'accepted', NOW), device('D-new', 'a', 'accepted', NOW + 1), device('D-never', 'a', 'accepted', null)],
    });
    expect((await service.devices({ siteIds: ['a'], since: NOW, limit: 10 })).items.map((d) => d.deviceId)).toEqual(['D-edge', 'D-new']);
    expect((await service.devices({ siteIds: ['a'], since: 0, limit: 10 })).items.map((d) => d.deviceId)).toEqual(['D-old', 'D-edge', 'D-new', 'D-never']);
  });

  it('no site to list: an empty last page, and the index is not read', async () => {
    const { service, index } = setup();
    expect(await service.devices({ siteIds: [], limit: 10 })).toEqual({ items: [], nextCursor: null });
    expect(index.queries).toEqual([]);
  });

  it('asks the index for the kind, site, state ("" for any), the room left on the page and the scan budget', async () => {
    const { service, index } = setup({ ids: { a: ['D-1'], b: [] } });
    await service.devices({ siteIds: ['a', 'b'], state: 'failed', limit: 10 });
    await service.batches({ siteIds: ['b'], limit: 3 });
    expect(index.queries).toEqual([
      { kind: 'device', siteId: 'a', after: '', state: 'failed', limit: 10, budget: 5000 },
      { kind: 'device', siteId: 'b', after: '', state: 'failed', limit: 9, budget: 4999 },
      { kind: 'batch', siteId: 'b', after: '', state: '', limit: 3, budget: 5000 },
    ]);
  });
});

describe('ListingService.batches', () => {
  it('lists batch summaries in index order, without records gone or in another state than asked', async () => {
    const b1 = batch('B-1', 'a', 'active');
    const { service } = setup({ ids: { a: ['B-1', 'B-2', 'B-3'] }, batches: [b1, batch('B-2', 'a', 'failed', { error: 'boom', attempts: 5 })] });
    const all = await service.batches({ siteIds: ['a'], limit: 10 });
    expect(all).toEqual({ items: [toBatchSummary(b1), expect.objectContaining({ batchId: 'B-2', state: 'failed', error: 'boom', attempts: 5 })], nextCursor: null });
    expect((await service.batches({ siteIds: ['a'], state: 'failed', limit: 10 })).items.map((b) => b.batchId)).toEqual(['B-2']);
  });

  it('a summary: the batch fields, its progress, ISO times, and no sealed code', () => {
    const s = toBatchSummary(batch('B-1', 'a', 'blocked'));
    expect(s).toEqual({
      batchId: 'B-1',
      siteId: 'a',
      region: 'us-east-1',
      state: 'blocked',
      blockedReason: 'quota',
      size: 4,
      activationId: 'act-1',
      expiresAt: new Date(NOW + 3_600_000).toISOString(),
      attempts: 1,
      error: null,
      createdAt: new Date(NOW - 60_000).toISOString(),
      registered: 1,
      left: 3,
      updatedAt: new Date(NOW - 1000).toISOString(),
    });
    expect(JSON.stringify(s)).not.toContain('sealed');
  });
});

describe('ListingService.overview', () => {
  it('per site: its view, expired counts, devices finished in the window, live and failed batches per state; blocked batches listed', async () => {
    const blocked = batch('B-blk', 'a', 'blocked');
    const { service, finishedSinceCalls, inStateCalls } = setup({
      batches: [
        batch('B-open', 'a', 'open'),
        batch('B-act1', 'a', 'active'),
        batch('B-act2', 'a', 'active'),
        blocked,
        batch('B-fail', 'b', 'failed'),
        batch('B-done', 'a', 'completed'),
        batch('B-exp', 'a', 'expired'),
        batch('B-other', 'c', 'blocked'),
      ],
    });
    const o = await service.overview(['a', 'b', 'gone']);
    expect(o.generatedAt).toBe(new Date(NOW).toISOString());
    expect(o.windowMs).toBe(OVERVIEW_WINDOW_MS);
    expect(OVERVIEW_WINDOW_MS).toBe(300_000);
    expect(o.sites.map((s) => [s.siteId, s.expired, s.finishedInWindow, s.batches])).toEqual([
      ['a', { registered: 1, failed: 1 }, 5, { open: 1, active: 2, blocked: 1 }],
      ['b', { registered: 1, failed: 1 }, 5, { failed: 1 }],
    ]);
    expect(o.blocked).toEqual([toBatchSummary(blocked)]);
    expect(finishedSinceCalls).toEqual([
      ['a', NOW - 300_000],
      ['b', NOW - 300_000],
      ['gone', NOW - 300_000],
    ]);
    expect(inStateCalls).toEqual(['open', 'creating', 'active', 'blocked', 'failed']);
  });

  it('skips a state index entry whose batch is gone or has moved on to another state', async () => {
    const { service } = setup({
      batches: [batch('B-1', 'a', 'active'), batch('B-2', 'a', 'completed')],
      indexed: { open: ['B-1', 'B-2', 'B-gone'], active: ['B-1'] },
    });
    const o = await service.overview(['a']);
    expect(o.sites[0]?.batches).toEqual({ active: 1 });
    expect(o.blocked).toEqual([]);
  });
});

describe('ListingService, many sites', () => {
  it('walks at most 200 sites in one request and goes on from the 201st', async () => {
    const siteIds = Array.from({ length: 250 }, (_, i) => `s${i}`);
    const { service, index } = setup({ ids: { s240: ['D-1'] }, devices: [device('D-1', 's240', 'accepted', NOW)] });
    const first = await service.devices({ siteIds, limit: 10 });
    expect(first.items).toEqual([]);
    expect(index.queries).toHaveLength(200);
    expect(first.nextCursor).not.toBeNull();
    const second = await service.devices({ siteIds, limit: 10, cursor: first.nextCursor! });
    expect(second.items.map((d) => d.deviceId)).toEqual(['D-1']);
    expect(index.queries[200]?.siteId).toBe('s200');
    expect(second.nextCursor).toBeNull();
  });
});
