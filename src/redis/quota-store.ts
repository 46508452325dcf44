/** fleet-enroll's own share of each Region's managed-node quota, as the batch scripts keep it. */
import type { Keys } from './keys.js';
import type { RedisScripts } from './redis-scripts.js';

export interface QuotaHeld {
  /** the Region's counter: reservations of live batches + nodes registered by finished ones */
  readonly used: number;
  /** reserved by live batches, not registered (yet) */
  readonly pending: number;
}

export class QuotaStore {
  constructor(
    private readonly keys: Keys,
    private readonly scripts: RedisScripts,
  ) {}

  async held(region: string): Promise<QuotaHeld> {
    const [used, pending] = (await this.scripts.run('fleetQuotaHeld', this.keys.quota(region), [this.keys.root, region])) as [number, number];
    return { used: Number(used), pending: Number(pending) };
  }
}
