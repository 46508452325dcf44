/**
 * The ack subscriber's persistent MQTT session needs a client id that is the same after a restart and
 * different for each ack process running at once (a broker disconnects the older of two clients with one
 * id). Each ack process claims the lowest free numbered slot, a Redis lease it renews; the client id is
 * derived from the fleet's key prefix, the ack topic filter and the slot number. A restarted process takes
 * the slot of a holder that stopped renewing (SIGKILLed), so it resumes that session and gets the acks the
 * broker queued for it.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisConnection } from '../redis/redis-connection.js';
import type { Keys } from '../redis/keys.js';
import { Lease } from '../redis/lease.js';
import type { RedisScripts } from '../redis/redis-scripts.js';

export interface AckSessionSlotOptions {
  /** the lease's time to live; renewed every third of it */
  readonly ttlMs?: number;
  readonly maxSlots?: number;
  readonly onLost?: () => void;
}

export class AckSessionSlot {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly slot: number,
    readonly clientId: string,
    private readonly lease: Lease,
    ttlMs: number,
    onLost: () => void,
  ) {
    this.timer = setInterval(() => {
      lease.hold().then((held) => (held ? undefined : onLost()), onLost);
    }, Math.max(50, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  static clientIdFor(keyPrefix: string, ackFilter: string, slot: number): string {
    const fleet = createHash('sha256').update(`${keyPrefix}\0${ackFilter}`).digest('hex').slice(0, 12);
    return `fleet-enroll-ack-${fleet}-${slot}`;
  }

  static async claim(
    redis: RedisConnection,
    keys: Keys,
    scripts: RedisScripts,
    ackFilter: string,
    options: AckSessionSlotOptions = {},
  ): Promise<AckSessionSlot> {
    const ttlMs = options.ttlMs ?? 6_000;
    const maxSlots = options.maxSlots ?? 64;
    const onLost = options.onLost ?? (() => undefined);
    const leaseOf = (slot: number): Lease => new Lease(redis, keys, scripts, `ack-session-${slot}`, ttlMs);
    const take = (slot: number, lease: Lease): AckSessionSlot =>
      new AckSessionSlot(slot, AckSessionSlot.clientIdFor(keys.root, ackFilter, slot), lease, ttlMs, onLost);

    const held: number[] = [];
    for (let slot = 0; slot < maxSlots; slot++) {
      const lease = leaseOf(slot);
      if (await lease.hold()) {
        if (held.length === 0) return take(slot, lease);
        await lease.release();
        break;
      }
      held.push(slot);
    }
    // slots below the first free one are held: one whose holder no longer renews is taken over once it lapses
    const ttlBefore = await Promise.all(held.map((s) => redis.pttl(keys.lease(`ack-session-${s}`))));
    const waited = Math.floor(ttlMs / 3) + 100;
    await sleep(waited);
    const ttlAfter = await Promise.all(held.map((s) => redis.pttl(keys.lease(`ack-session-${s}`))));
    const dead = held.filter((_, i) => ttlAfter[i]! < ttlBefore[i]! - waited / 2);
    for (const slot of dead) {
      const lease = leaseOf(slot);
      const until = Date.now() + ttlMs + 500;
      while (Date.now() < until) {
        if (await lease.hold()) return take(slot, lease);
        await sleep(Math.min(200, Math.floor(ttlMs / 5)));
      }
    }
    for (let slot = 0; slot < maxSlots; slot++) {
      const lease = leaseOf(slot);
      if (await lease.hold()) return take(slot, lease);
    }
    throw new Error(`no free ack session slot of ${maxSlots}`);
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.lease.release();
  }
}
