/**
 * A Redis lease: one holder at a time across processes (reconcile leader, one worker per batch).
 * Renew and release check the token, so a holder that lost its lease never frees the next one's.
 */
import { randomBytes } from 'node:crypto';
import type { RedisConnection } from './redis-connection.js';
import type { Keys } from './keys.js';
import type { RedisScripts } from './redis-scripts.js';

export class Lease {
  private readonly token = randomBytes(12).toString('base64url');
  private readonly key: string;

  constructor(
    private readonly redis: RedisConnection,
    keys: Keys,
    private readonly scripts: RedisScripts,
    name: string,
    private readonly ttlMs: number,
  ) {
    this.key = keys.lease(name);
  }

  /** true when this holder has the lease now (taken or renewed) */
  async hold(): Promise<boolean> {
    const taken = await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX');
    if (taken === 'OK') return true;
    return (await this.scripts.run('fleetRenewLease', this.key, [this.token, this.ttlMs])) === 1;
  }

  async release(): Promise<void> {
    await this.scripts.run('fleetReleaseLease', this.key, [this.token]);
  }
}
