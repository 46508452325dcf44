/**
 * Listings of devices and batches, site after site in each site's index order (a sequence number given
 * at enrollment / at the cut): an item enrolled while someone pages comes after the items already there,
 * so a page walk sees every item once. The state filter is applied on read (items change state).
 */
import type { BatchSummary, ListingServices, ListQuery, Overview, Page, SiteOverview } from './listing-views.js';
import { batchFields, toDeviceView, type DeviceView, type SiteView } from './views.js';
import type { BatchState } from '../domain/batch-state.js';
import type { DeviceState } from '../domain/device-state.js';
import type { BatchStore } from '../redis/batch-store.js';
import type { DeviceStore } from '../redis/device-store.js';
import type { ListedKind, ListingStore } from '../redis/listing-store.js';
import type { BatchRecord } from '../redis/records.js';
import type { RetentionStore } from '../redis/retention-store.js';
import { decodeCursor, encodeCursor } from './listing-cursor.js';

/** index entries one request looks at, at most, when a state filter skips many */
const SCAN_BUDGET = 5_000;
/** sites one request walks through, at most (the rest: next page) */
const SITES_PER_PAGE = 200;
export const OVERVIEW_WINDOW_MS = 5 * 60_000;
const LIVE_BATCH_STATES: readonly BatchState[] = ['open', 'creating', 'active', 'blocked', 'failed'];

export interface ListingDeps {
  readonly listing: ListingStore;
  readonly devices: DeviceStore;
  readonly batches: BatchStore;
  readonly retention: RetentionStore;
  readonly siteView: (siteId: string) => Promise<SiteView | null>;
  readonly clock?: () => number;
}

interface IdPage {
  readonly ids: string[];
  readonly nextCursor: string | null;
}

export function toBatchSummary(b: BatchRecord): BatchSummary {
  return { ...batchFields(b), registered: b.registered, left: b.left, updatedAt: new Date(b.updatedAt).toISOString() };
}

export class ListingService implements ListingServices {
  private readonly now: () => number;

  constructor(private readonly deps: ListingDeps) {
    this.now = deps.clock ?? Date.now;
  }

  async devices(q: ListQuery<DeviceState>): Promise<Page<DeviceView>> {
    const page = await this.ids('device', q);
    const records = await this.deps.devices.getMany(page.ids);
    const items: DeviceView[] = [];
    for (const d of records) {
      // the record may have moved on between the index read and this one
      if (!d || !q.siteIds.includes(d.siteId) || (q.state !== undefined && d.state !== q.state)) continue;
      if (q.since !== undefined && (d.updatedAt ?? 0) < q.since) continue;
      items.push(toDeviceView(d));
    }
    return { items, nextCursor: page.nextCursor };
  }

  async batches(q: ListQuery<BatchState>): Promise<Page<BatchSummary>> {
    const page = await this.ids('batch', q);
    const records = await Promise.all(page.ids.map((id) => this.deps.batches.get(id)));
    const items = records
      .filter((b): b is BatchRecord => b !== null && (q.state === undefined || b.state === q.state))
      .map(toBatchSummary);
    return { items, nextCursor: page.nextCursor };
  }

  async overview(siteIds: readonly string[]): Promise<Overview> {
    const now = this.now();
    const since = now - OVERVIEW_WINDOW_MS;
    const sites: SiteOverview[] = [];
    for (const siteId of siteIds) {
      const [view, expired, finishedInWindow] = await Promise.all([
        this.deps.siteView(siteId),
        this.deps.retention.expiredCounts(siteId),
        this.deps.retention.finishedSince(siteId, since),
      ]);
      if (view) sites.push({ ...view, expired, finishedInWindow, batches: {} });
    }
    const bySite = new Map(sites.map((s) => [s.siteId, s.batches as Partial<Record<BatchState, number>>]));
    const blocked: BatchSummary[] = [];
    // live and failed batches only: finished ones can be many and are listed by GET /v1/batches
    for (const state of LIVE_BATCH_STATES) {
      const ids = await this.deps.batches.inState(state, Number.POSITIVE_INFINITY, 10_000);
      const records = await Promise.all(ids.map((id) => this.deps.batches.get(id)));
      for (const b of records) {
        if (!b || b.state !== state || !bySite.has(b.siteId)) continue;
        inc(bySite.get(b.siteId), state);
        if (state === 'blocked') blocked.push(toBatchSummary(b));
      }
    }
    return { generatedAt: new Date(now).toISOString(), windowMs: OVERVIEW_WINDOW_MS, sites, blocked };
  }

  /** Index ids of one page, site after site, and the cursor after them. */
  private async ids(kind: ListedKind, q: ListQuery<string>): Promise<IdPage> {
    if (q.siteIds.length === 0) return { ids: [], nextCursor: null };
    const start = q.cursor === undefined ? { siteId: q.siteIds[0]!, after: '' } : decodeCursor(q.cursor, q.siteIds);
    let siteIndex = q.siteIds.indexOf(start.siteId);
    let after = start.after;
    const ids: string[] = [];
    let budget = SCAN_BUDGET;
    for (let walked = 0; walked < SITES_PER_PAGE; walked++) {
      const siteId = q.siteIds[siteIndex]!;
      const page = await this.deps.listing.page({ kind, siteId, after, state: q.state ?? '', limit: q.limit - ids.length, budget });
      ids.push(...page.ids);
      if (page.last !== '') after = page.last;
      budget -= Math.max(1, page.lookedAt);
      if (page.done) {
        siteIndex++;
        after = '';
        if (siteIndex >= q.siteIds.length) return { ids, nextCursor: null };
      }
      if (ids.length >= q.limit || budget <= 0) break;
    }
    return { ids, nextCursor: encodeCursor({ siteId: q.siteIds[siteIndex]!, after }) };
  }
}

function inc(counts: Partial<Record<BatchState, number>> | undefined, state: BatchState): void {
  if (counts) counts[state] = (counts[state] ?? 0) + 1;
}
