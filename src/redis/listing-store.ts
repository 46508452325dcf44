/** Pages of the per-site listing indexes (`idx:<site>` for devices, `bidx:<site>` for batches). */
import { KEY_SEGMENTS, type Keys } from './keys.js';
import type { RedisScripts } from './redis-scripts.js';

export type ListedKind = 'device' | 'batch';

export interface IndexPage {
  /** ids in listing order, in the state asked for */
  readonly ids: readonly string[];
  /** the last sequence number looked at: the next page starts after it ('' when nothing was looked at) */
  readonly last: string;
  /** nothing after `last` */
  readonly done: boolean;
  /** index entries looked at */
  readonly lookedAt: number;
}

export interface IndexQuery {
  readonly kind: ListedKind;
  readonly siteId: string;
  /** a `last` of the page before; '' for the first page */
  readonly after: string;
  /** '' for any state */
  readonly state: string;
  readonly limit: number;
  /** index entries looked at per call, at most (a state filter may skip many) */
  readonly budget: number;
}

export class ListingStore {
  constructor(
    private readonly keys: Keys,
    private readonly scripts: RedisScripts,
  ) {}

  async page(q: IndexQuery): Promise<IndexPage> {
    const index = q.kind === 'device' ? this.keys.deviceIndex(q.siteId) : this.keys.batchIndex(q.siteId);
    const recordKind = q.kind === 'device' ? KEY_SEGMENTS.device : KEY_SEGMENTS.batch;
    const args = [this.keys.root, recordKind, q.siteId, q.after, q.state, q.limit, q.budget];
    const [last, done, lookedAt, ...ids] = (await this.scripts.run('fleetListIndex', index, args)) as [string, number, number, ...string[]];
    return { ids, last: String(last), done: Number(done) === 1, lookedAt: Number(lookedAt) };
  }
}
