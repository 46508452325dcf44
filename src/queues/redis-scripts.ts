/**
 * Registers our Lua scripts on an ioredis client (defineCommand: EVALSHA with EVAL fallback) and calls
 * them by name. Every script takes one key (it routes the call to the fleet's Cluster slot).
 */
import type { RedisConnection } from './redis-connection.js';
import { ACK_LUA, ACKS_VERIFIED_LUA } from './scripts/ack.js';
import { ACTIVATED_LUA } from './scripts/activated.js';
import { BEGIN_ATTEMPT_LUA, THROTTLED_LUA } from './scripts/begin-attempt.js';
import { CUT_LUA } from './scripts/cut.js';
import { DELIVERED_LUA } from './scripts/delivered.js';
import { FAIL_BATCH_LUA } from './scripts/fail-batch.js';
import { COMPLETE_BATCH_LUA, EXPIRE_BATCH_LUA } from './scripts/finish-batch.js';
import { INTAKE_LUA } from './scripts/intake.js';
import { INTAKE_REMOVED_SITE_LUA } from './scripts/intake-removed-site.js';
import { RELEASE_LEASE_LUA, RENEW_LEASE_LUA } from './scripts/lease.js';
import { QUOTA_HELD_LUA, RESERVE_QUOTA_LUA } from './scripts/quota.js';
import { REGISTERED_LUA } from './scripts/registered.js';
import { REQUEUE_FAILED_LUA } from './scripts/requeue.js';
import { LIST_INDEX_LUA } from './scripts/listing.js';
import { SWEEP_BATCHES_LUA, SWEEP_DEVICES_LUA } from './scripts/retention.js';
import { TAG_CLAIM_LUA, TAG_DONE_LUA, TAG_RETRY_LUA } from './scripts/tag.js';

const SCRIPTS = {
  fleetIntake: INTAKE_LUA,
  fleetIntakeRemovedSite: INTAKE_REMOVED_SITE_LUA,
  fleetCut: CUT_LUA,
  fleetBeginAttempt: BEGIN_ATTEMPT_LUA,
  fleetThrottled: THROTTLED_LUA,
  fleetReserveQuota: RESERVE_QUOTA_LUA,
  fleetQuotaHeld: QUOTA_HELD_LUA,
  fleetActivated: ACTIVATED_LUA,
  fleetFailBatch: FAIL_BATCH_LUA,
  fleetDelivered: DELIVERED_LUA,
  fleetAck: ACK_LUA,
  fleetAcksVerified: ACKS_VERIFIED_LUA,
  fleetRegistered: REGISTERED_LUA,
  fleetCompleteBatch: COMPLETE_BATCH_LUA,
  fleetExpireBatch: EXPIRE_BATCH_LUA,
  fleetRequeueFailed: REQUEUE_FAILED_LUA,
  fleetRenewLease: RENEW_LEASE_LUA,
  fleetReleaseLease: RELEASE_LEASE_LUA,
  fleetListIndex: LIST_INDEX_LUA,
  fleetSweepDevices: SWEEP_DEVICES_LUA,
  fleetSweepBatches: SWEEP_BATCHES_LUA,
  fleetTagClaim: TAG_CLAIM_LUA,
  fleetTagDone: TAG_DONE_LUA,
  fleetTagRetry: TAG_RETRY_LUA,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

type ScriptFn = (key: string, ...args: (string | number)[]) => Promise<unknown>;

export class RedisScripts {
  constructor(private readonly redis: RedisConnection) {
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, { lua, numberOfKeys: 1 });
    }
  }

  run(name: ScriptName, key: string, args: readonly (string | number)[]): Promise<unknown> {
    const fn = (this.redis as unknown as Record<ScriptName, ScriptFn>)[name];
    return fn.call(this.redis, key, ...args);
  }
}
