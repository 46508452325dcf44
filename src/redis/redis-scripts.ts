/**
 * Registers our Lua scripts (src/redis/scripts/*.lua, read by the one loader, src/lua/script-loader.ts) on
 * an ioredis client (defineCommand: EVALSHA with EVAL fallback) and calls them by name. Every script takes
 * one key (it routes the call to the fleet's Cluster slot). The key segments and hash field names the scripts
 * use are the TypeScript ones (keys.ts, records.ts), handed to them as the generated include "layout".
 */
import { loadLuaScript, luaTable } from '../lua/script-loader.js';
import { KEY_SEGMENTS } from './keys.js';
import { BATCH_FIELDS, DEVICE_FIELDS, STATE_TIME_FIELDS } from './records.js';
import type { RedisConnection } from './redis-connection.js';

/** command name → script file (src/redis/scripts/<file>.lua) */
const SCRIPT_FILES = {
  fleetIntake: 'intake',
  fleetIntakeRemovedSite: 'intake-removed-site',
  fleetCut: 'cut',
  fleetBeginAttempt: 'begin-attempt',
  fleetThrottled: 'throttled',
  fleetReserveQuota: 'reserve-quota',
  fleetQuotaHeld: 'quota-held',
  fleetActivated: 'activated',
  fleetFailBatch: 'fail-batch',
  fleetDelivered: 'delivered',
  fleetAck: 'ack',
  fleetAcksVerified: 'acks-verified',
  fleetRegistered: 'registered',
  fleetCompleteBatch: 'complete-batch',
  fleetExpireBatch: 'expire-batch',
  fleetRequeueFailed: 'requeue-failed',
  fleetRenewLease: 'renew-lease',
  fleetReleaseLease: 'release-lease',
  fleetListIndex: 'list-index',
  fleetSweepDevices: 'sweep-devices',
  fleetSweepBatches: 'sweep-batches',
  fleetTagClaim: 'tag-claim',
  fleetTagDone: 'tag-done',
  fleetTagRetry: 'tag-retry',
  fleetDeviceFields: 'device-fields',
} as const;

export type ScriptName = keyof typeof SCRIPT_FILES;

const SOURCES = {
  dir: new URL('./scripts/', import.meta.url),
  generated: {
    layout: [luaTable('SEG', KEY_SEGMENTS), luaTable('DEVICE', DEVICE_FIELDS), luaTable('BATCH', BATCH_FIELDS), luaTable('TS', STATE_TIME_FIELDS)].join('\n'),
  },
};

/** The texts Redis runs, read once per process (they do not change while it runs). */
export const SCRIPTS: Readonly<Record<ScriptName, string>> = Object.fromEntries(
  Object.entries(SCRIPT_FILES).map(([name, file]) => [name, loadLuaScript(SOURCES, file)]),
) as Record<ScriptName, string>;

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
