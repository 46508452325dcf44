/** Listings and the console's reads (src/api/routes/listings.ts; implemented in src/services/listing-service.ts). */
import type { BatchState } from '../domain/batch-state.js';
import type { DeviceState } from '../domain/device-state.js';
import type { BatchFields, DeviceView, SiteView } from './views.js';

/** A batch in a listing: its state and progress, without per-device counts (those need every device). */
export interface BatchSummary extends BatchFields {
  readonly registered: number;
  /** devices neither registered nor gone elsewhere */
  readonly left: number;
  readonly updatedAt: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** pass as `cursor` for the next page; null when the listing is done */
  readonly nextCursor: string | null;
}

export interface ListQuery<S extends string> {
  /** the sites to list, in listing order (one site, or every site the token may read) */
  readonly siteIds: readonly string[];
  readonly state?: S;
  /** devices only: last change at or after this (ms) */
  readonly since?: number;
  readonly limit: number;
  readonly cursor?: string;
}

export interface SiteOverview extends SiteView {
  /** records removed by retention so far (cumulative): `counts` are of the records still held */
  readonly expired: { readonly registered: number; readonly failed: number };
  /** devices that became registered or failed within the overview's window */
  readonly finishedInWindow: number;
  /** batches per state (those still held) */
  readonly batches: Readonly<Partial<Record<BatchState, number>>>;
}

export interface Overview {
  readonly generatedAt: string;
  /** the window of `finishedInWindow`, ms */
  readonly windowMs: number;
  readonly sites: readonly SiteOverview[];
  /** batches waiting (blocked) with their reason, of the sites asked for */
  readonly blocked: readonly BatchSummary[];
}

export interface ListingServices {
  devices(query: ListQuery<DeviceState>): Promise<Page<DeviceView>>;
  batches(query: ListQuery<BatchState>): Promise<Page<BatchSummary>>;
  overview(siteIds: readonly string[]): Promise<Overview>;
}
