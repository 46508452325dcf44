import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.js';
import type { DeviceStore } from '../../../src/redis/device-store.js';
import type { IndexPage, IndexQuery, ListingStore } from '../../../src/redis/listing-store.js';
import type { DeviceRecord } from '../../../src/redis/records.js';
import type { BatchStore } from '../../../src/redis/batch-store.js';
import type { RetentionStore } from '../../../src/redis/retention-store.js';
import { ListingService } from '../../../src/services/listing-service.js';

/** An index per site: ids with sequence numbers, paged like the Lua script (state filter on read). */
class FakeIndex {
  constructor(readonly sites: Record<string, { id: string; state: string }[]>) {}
  calls = 0;
  async page(q: IndexQuery): Promise<IndexPage> {
    this.calls++;
    const all = (this.sites[q.siteId] ?? []).map((d, i) => ({ ...d, seq: i + 1 }));
    const after = q.after === '' ? 0 : Number(q.after);
    const ids: string[] = [];
    let last = '';
    let lookedAt = 0;
    for (const d of all.filter((x) => x.seq > after).slice(0, q.budget)) {
      lookedAt++;
      last = String(d.seq);
      if (q.state === '' || d.state === q.state) ids.push(d.id);
      if (ids.length >= q.limit) break;
    }
    const done = last === '' || all.every((x) => x.seq <= Number(last));
    return { ids, last, done, lookedAt };
  }
}

function service(index: FakeIndex): ListingService {
  const siteOf = new Map(Object.entries(index.sites).flatMap(([s, ds]) => ds.map((d) => [d.id, { site: s, state: d.state }] as const)));
  const devices = {
    getMany: async (ids: readonly string[]) =>
      ids.map((id): DeviceRecord | null => {
        const d = siteOf.get(id);
        return d
          ? ({ deviceId: id, siteId: d.site, state: d.state, thingName: id, attributes: {}, batchId: null, activationId: null, deliveryId: 'secret', managedNodeId: null, error: null, rebatches: 0, times: {}, updatedAt: 1 } as DeviceRecord)
          : null;
      }),
  } as unknown as DeviceStore;
  return new ListingService({
    listing: index as unknown as ListingStore,
    devices,
    batches: {} as BatchStore,
    retention: {} as RetentionStore,
    siteView: async () => null,
  });
}

const site = (prefix: string, n: number, state = 'accepted'): { id: string; state: string }[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, state: i % 3 === 0 ? 'failed' : state }));

async function walk(s: ListingService, siteIds: string[], limit: number, state?: 'failed'): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await s.devices({ siteIds, limit, ...(state ? { state } : {}), ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((d) => d.deviceId));
    cursor = page.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  return { ids, pages };
}

describe('ListingService', () => {
  it('walks site after site, each device once, pages filled across site boundaries', async () => {
    const index = new FakeIndex({ a: site('a', 25), b: [], c: site('c', 7) });
    const { ids, pages } = await walk(service(index), ['a', 'b', 'c'], 10);
    expect(ids).toEqual([...site('a', 25), ...site('c', 7)].map((d) => d.id));
    expect(pages).toBe(4);
  });

  it('filters by state on read and never shows the delivery id', async () => {
    const s = service(new FakeIndex({ a: site('a', 30) }));
    const { ids } = await walk(s, ['a'], 4, 'failed');
    expect(ids).toEqual(site('a', 30).filter((d) => d.state === 'failed').map((d) => d.id));
    const page = await s.devices({ siteIds: ['a'], limit: 1 });
    expect(JSON.stringify(page)).not.toContain('secret');
  });

  it('stops a page when its scan budget is spent, and goes on from there', async () => {
    const index = new FakeIndex({ a: Array.from({ length: 12_000 }, (_, i) => ({ id: `a-${i}`, state: i === 11_999 ? 'failed' : 'registered' })) });
    const s = service(index);
    const first = await s.devices({ siteIds: ['a'], limit: 10, state: 'failed' });
    expect(first.items).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const { ids } = await walk(s, ['a'], 10, 'failed');
    expect(ids).toEqual(['a-11999']);
  });

  it('refuses a cursor of another listing or a made-up one, naming `cursor`', async () => {
    const s = service(new FakeIndex({ a: site('a', 5), b: site('b', 5) }));
    const page = await s.devices({ siteIds: ['a', 'b'], limit: 2 });
    await expect(s.devices({ siteIds: ['b'], limit: 2, cursor: page.nextCursor! })).rejects.toThrow(ValidationError);
    await expect(s.devices({ siteIds: ['a'], limit: 2, cursor: 'not a cursor' })).rejects.toThrow(/cursor/);
    await expect(s.devices({ siteIds: ['a'], limit: 2, cursor: Buffer.from('a\nx1').toString('base64url') })).rejects.toThrow(/cursor/);
  });
});
