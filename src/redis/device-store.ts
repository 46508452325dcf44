/** Device hashes `P:dev:<id>` and the scripts that move devices between states. */
import type { RedisConnection } from './redis-connection.js';
import { AckReplyError } from './ack-reply-error.js';
import { DEVICE_STATES, type DeviceState } from '../domain/device-state.js';
import type { OnboardingEvent } from '../domain/onboarding-event.js';
import type { Keys } from './keys.js';
import { DEVICE_FIELDS, STATE_TIME_FIELDS, type DeviceDeliveryView, type DeviceRecord, type DeviceVerifyView } from './records.js';
import type { RedisScripts } from './redis-scripts.js';

/** Per-site settings the intake script needs to keep the buffer's cut time. */
export interface BufferPolicy {
  readonly batchWindowMs: number;
  readonly maxBatchSize: number;
}

/** `claimed`: the ack names a managed node another device holds */
export type AckVerdict = 'accepted' | 'stale' | 'forged' | 'claimed';

export interface AckInput {
  readonly batchId: string;
  readonly index: number;
  readonly deliveryId: string;
  readonly activationId: string;
  readonly status: 'registered' | 'failed';
  readonly managedNodeId: string;
  readonly topic: { readonly siteId: string; readonly thingName: string } | undefined;
  readonly error: string;
}

/** An event on its way into the site buffers: `moveFrom` is the other site the API let it move the device from. */
export type IntakeEvent = OnboardingEvent & { readonly moveFrom?: string };

export interface IntakeCounts {
  readonly accepted: number;
  readonly duplicates: number;
  /** recorded at another site (and not allowed to move), or its thingName held by another device in flight */
  readonly refused: number;
}

/** Where a device is recorded now: enough for the API's ownership and duplicate checks. */
export interface DeviceOwner {
  readonly siteId: string;
  readonly state: DeviceState;
  readonly thingName: string;
}

/** A record a re-enrollment replaced (newest first in `history()`); times in ms. */
export interface DeviceHistoryEntry {
  readonly siteId: string;
  readonly state: DeviceState;
  readonly thingName: string | null;
  readonly batchId: string | null;
  readonly activationId: string | null;
  readonly managedNodeId: string | null;
  readonly error: string | null;
  readonly times: Readonly<Partial<Record<DeviceState, number>>>;
  readonly replacedAt: number;
}

/** One Lua call per chunk keeps Redis responsive with 10,000-event jobs. */
const INTAKE_CHUNK = 500;

/** Acks per ack script call at most: a burst costs a few calls, and none keeps Redis busy for long. */
export const ACKS_PER_SCRIPT_CALL = 500;

/** Devices per device-fields script call at most: a batch's worth (RegistrationLimit ≤ 1,000) in one. */
const FIELDS_PER_SCRIPT_CALL = 1_000;

const ACK_VERDICTS: ReadonlySet<string> = new Set<AckVerdict>(['accepted', 'stale', 'forged', 'claimed']);

export class DeviceStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: Keys,
    private readonly scripts: RedisScripts,
  ) {}

  /** Authoritative dedupe + buffering; idempotent for a retried job (same jobId). */
  async intake(
    jobId: string,
    events: readonly IntakeEvent[],
    policyOf: (siteId: string) => BufferPolicy,
    now: number,
  ): Promise<IntakeCounts> {
    let accepted = 0;
    let duplicates = 0;
    let refused = 0;
    for (let i = 0; i < events.length; i += INTAKE_CHUNK) {
      const args: (string | number)[] = [this.keys.root, jobId, now];
      for (const e of events.slice(i, i + INTAKE_CHUNK)) {
        const policy = policyOf(e.siteId);
        args.push(e.deviceId, e.siteId, e.thingName, JSON.stringify(e.attributes), e.reenroll ? '1' : '0');
        args.push(policy.batchWindowMs, policy.maxBatchSize, e.moveFrom ?? '');
      }
      const [a, d, r] = (await this.scripts.run('fleetIntake', this.keys.due, args)) as [number, number, number];
      accepted += a;
      duplicates += d;
      refused += r;
    }
    return { accepted, duplicates, refused };
  }

  /** Devices whose site left the configuration: recorded `failed` with their reason (none without a record). */
  async failForRemovedSite(
    jobId: string,
    events: readonly { readonly event: OnboardingEvent; readonly reason: string }[],
    now: number,
  ): Promise<{ failed: number; duplicates: number }> {
    let failed = 0;
    let duplicates = 0;
    for (let i = 0; i < events.length; i += INTAKE_CHUNK) {
      const args: (string | number)[] = [this.keys.root, jobId, now];
      for (const { event: e, reason } of events.slice(i, i + INTAKE_CHUNK)) {
        args.push(e.deviceId, e.siteId, e.thingName, JSON.stringify(e.attributes), reason);
      }
      const [f, d] = (await this.scripts.run('fleetIntakeRemovedSite', this.keys.due, args)) as [number, number];
      failed += f;
      duplicates += d;
    }
    return { failed, duplicates };
  }

  /** Read-only pre-check for the API's answer: where each of these devices is recorded now (null: nowhere). */
  async owners(deviceIds: readonly string[]): Promise<(DeviceOwner | null)[]> {
    return this.views(deviceIds, OWNER_FIELDS, (deviceId, [state, site, thing]) => ({ state: state as DeviceState, siteId: site ?? '', thingName: thing ?? deviceId }));
  }

  /**
   * Read-only pre-check: for each (site, thingName), the other device still in flight under that name there,
   * or null. An entry's own device never conflicts with itself.
   */
  async thingHolders(wanted: readonly { readonly deviceId: string; readonly siteId: string; readonly thingName: string }[]): Promise<(string | null)[]> {
    // one HMGET per site, not an HGET per device
    const bySite = new Map<string, number[]>();
    wanted.forEach((w, i) => {
      const at = bySite.get(w.siteId);
      if (at) at.push(i);
      else bySite.set(w.siteId, [i]);
    });
    const pipeline = this.redis.pipeline();
    for (const [siteId, at] of bySite) pipeline.hmget(this.keys.things(siteId), ...at.map((i) => wanted[i]!.thingName));
    const results = (await pipeline.exec()) ?? [];
    const named: (string | null)[] = wanted.map(() => null);
    [...bySite.values()].forEach((at, k) => {
      const [err, values] = results[k] ?? [null, null];
      if (!err) at.forEach((i, j) => (named[i] = (values as (string | null)[])[j] ?? null));
    });
    const holders = wanted.map((w, i) => {
      const h = named[i];
      return typeof h === 'string' && h !== w.deviceId ? h : null;
    });
    const asked = holders.filter((h): h is string => h !== null);
    if (asked.length === 0) return holders;
    const owners = new Map<string, DeviceOwner | null>();
    const found = await this.owners(asked);
    asked.forEach((h, i) => owners.set(h, found[i] ?? null));
    return holders.map((h, i) => {
      if (h === null) return null;
      const o = owners.get(h);
      const w = wanted[i]!;
      const busy = o && o.state !== 'registered' && o.state !== 'failed' && o.siteId === w.siteId && o.thingName === w.thingName;
      return busy ? h : null;
    });
  }

  /** The records re-enrollments replaced, newest first (at most 10). */
  async history(deviceId: string): Promise<DeviceHistoryEntry[]> {
    const raw = await this.redis.lrange(this.keys.history(deviceId), 0, -1);
    const entries: DeviceHistoryEntry[] = [];
    for (const text of raw) {
      let h: Record<string, string>;
      try {
        h = JSON.parse(text) as Record<string, string>;
      } catch {
        continue;
      }
      const times: Partial<Record<DeviceState, number>> = {};
      for (const s of DEVICE_STATES) {
        const t = h[STATE_TIME_FIELDS[s]];
        if (t !== undefined) times[s] = Number(t);
      }
      entries.push({
        siteId: String(h[DEVICE_FIELDS.site] ?? ''),
        state: String(h[DEVICE_FIELDS.state] ?? '') as DeviceState,
        thingName: h[DEVICE_FIELDS.thing] ? String(h[DEVICE_FIELDS.thing]) : null,
        batchId: h[DEVICE_FIELDS.batch] ? String(h[DEVICE_FIELDS.batch]) : null,
        activationId: h[DEVICE_FIELDS.activation] ? String(h[DEVICE_FIELDS.activation]) : null,
        managedNodeId: h[DEVICE_FIELDS.node] ? String(h[DEVICE_FIELDS.node]) : null,
        error: h[DEVICE_FIELDS.error] ? String(h[DEVICE_FIELDS.error]) : null,
        times,
        replacedAt: Number(h.replaced ?? 0),
      });
    }
    return entries;
  }

  async get(deviceId: string): Promise<DeviceRecord | null> {
    const h = await this.redis.hgetall(this.keys.device(deviceId));
    return toDeviceRecord(deviceId, h);
  }

  async getMany(deviceIds: readonly string[]): Promise<(DeviceRecord | null)[]> {
    const pipeline = this.redis.pipeline();
    for (const id of deviceIds) pipeline.hgetall(this.keys.device(id));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, h], i) => (err ? null : toDeviceRecord(deviceIds[i]!, h as Record<string, string>)));
  }

  /** The delivery view of each device (null: no record): a few fields each, one script call per 1,000 */
  async deliveryViews(deviceIds: readonly string[]): Promise<(DeviceDeliveryView | null)[]> {
    return this.views(deviceIds, DELIVERY_VIEW_FIELDS, (deviceId, [state, site, thing, batch, delivery, accepted, delivered]) => {
      const times: { accepted?: number; delivered?: number } = {};
      if (accepted) times.accepted = Number(accepted);
      if (delivered) times.delivered = Number(delivered);
      return { deviceId, state: state as DeviceState, siteId: site ?? '', thingName: thing ?? deviceId, batchId: batch || null, deliveryId: delivery || null, times };
    });
  }

  /** The verification view of each device (null: no record): a few fields each, one script call per 1,000 */
  async verifyViews(deviceIds: readonly string[]): Promise<(DeviceVerifyView | null)[]> {
    return this.views(deviceIds, VERIFY_VIEW_FIELDS, (deviceId, [state, site, thing, batch, node, accepted]) => ({
      deviceId,
      state: state as DeviceState,
      siteId: site ?? '',
      thingName: thing ?? deviceId,
      batchId: batch || null,
      managedNodeId: node || null,
      times: accepted ? { accepted: Number(accepted) } : {},
    }));
  }

  /**
   * `fields` (state first) of each device, by the device-fields script, at most FIELDS_PER_SCRIPT_CALL devices
   * a call, the calls sent together; a device without a state has no record (null)
   */
  private async views<V>(deviceIds: readonly string[], fields: readonly string[], view: (deviceId: string, values: (string | null)[]) => V): Promise<(V | null)[]> {
    const chunks: string[][] = [];
    for (let i = 0; i < deviceIds.length; i += FIELDS_PER_SCRIPT_CALL) chunks.push(deviceIds.slice(i, i + FIELDS_PER_SCRIPT_CALL));
    // all calls at once: they go one after the other on the connection, with one round trip to wait for
    const replies = await Promise.all(chunks.map((chunk) => this.scripts.run('fleetDeviceFields', this.keys.device(chunk[0]!), [this.keys.root, fields.length, ...fields, ...chunk])));
    return chunks.flatMap((chunk, k) => {
      const flat = replies[k] as (string | null)[];
      return chunk.map((id, j) => {
        const values = flat.slice(j * fields.length, (j + 1) * fields.length);
        return values[0] ? view(id, values) : null;
      });
    });
  }

  async markDelivered(batchId: string, deviceIds: readonly string[], now: number): Promise<number> {
    if (deviceIds.length === 0) return 0;
    return (await this.scripts.run('fleetDelivered', this.keys.batch(batchId), [this.keys.root, batchId, now, ...deviceIds])) as number;
  }

  /** One ack alone (ackMany of one). */
  async ack(input: AckInput, now: number): Promise<AckVerdict> {
    const [verdict] = await this.ackMany([input], now);
    return verdict!;
  }

  /**
   * The ack script over many acks, in order, one call per ACKS_PER_SCRIPT_CALL: each ack is checked and
   * applied as if it ran alone, after the ones before it. One verdict per input, in the same order.
   */
  async ackMany(inputs: readonly AckInput[], now: number): Promise<AckVerdict[]> {
    const verdicts: AckVerdict[] = [];
    for (let i = 0; i < inputs.length; i += ACKS_PER_SCRIPT_CALL) {
      const chunk = inputs.slice(i, i + ACKS_PER_SCRIPT_CALL);
      const args: (string | number)[] = [this.keys.root, now];
      for (const a of chunk) {
        args.push(a.batchId, a.index, a.deliveryId, a.activationId, a.status, a.managedNodeId, a.topic?.siteId ?? '', a.topic?.thingName ?? '', a.error);
      }
      const reply = await this.scripts.run('fleetAck', this.keys.acked, args);
      verdicts.push(...ackVerdicts(reply, chunk.length));
    }
    return verdicts;
  }

  /** For each managed node, the device holding its claim (missing: nobody). */
  async nodeClaims(managedNodeIds: readonly string[]): Promise<Map<string, string>> {
    const claims = new Map<string, string>();
    if (managedNodeIds.length === 0) return claims;
    const holders = await this.redis.hmget(this.keys.nodeClaims, ...managedNodeIds);
    managedNodeIds.forEach((node, i) => {
      const holder = holders[i];
      if (typeof holder === 'string') claims.set(node, holder);
    });
    return claims;
  }

  /**
   * These acked devices registered (ids no longer acked in the batch just leave its acks to verify); with
   * `tagNodes` their nodes join the tag queue. Returns the batch's devices still left.
   */
  async markRegistered(batchId: string, deviceIds: readonly string[], now: number, tagNodes: boolean): Promise<number> {
    const args = [this.keys.root, batchId, now, tagNodes ? '1' : '0', ...deviceIds];
    return (await this.scripts.run('fleetRegistered', this.keys.batch(batchId), args)) as number;
  }

  async failedIds(siteId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.failed(siteId));
  }

  /** Failed devices of one site back into its buffer. */
  async requeueFailed(siteId: string, deviceIds: readonly string[], policy: BufferPolicy, now: number): Promise<number> {
    let n = 0;
    for (let i = 0; i < deviceIds.length; i += INTAKE_CHUNK) {
      const ids = deviceIds.slice(i, i + INTAKE_CHUNK);
      const args = [this.keys.root, siteId, now, policy.batchWindowMs, policy.maxBatchSize, ...ids];
      n += (await this.scripts.run('fleetRequeueFailed', this.keys.due, args)) as number;
    }
    return n;
  }

  /** device state → count, for one site (kept exact by the transition scripts) */
  async counts(siteId: string): Promise<Record<DeviceState, number>> {
    const h = await this.redis.hgetall(this.keys.counts(siteId));
    return toCounts(h);
  }
}

function ackVerdicts(reply: unknown, expected: number): AckVerdict[] {
  if (!Array.isArray(reply) || reply.length !== expected || !reply.every((v) => typeof v === 'string' && ACK_VERDICTS.has(v))) {
    throw new AckReplyError(expected, reply);
  }
  return reply as AckVerdict[];
}

export function toCounts(h: Record<string, string>): Record<DeviceState, number> {
  const counts = {} as Record<DeviceState, number>;
  for (const s of DEVICE_STATES) counts[s] = Math.max(0, Number(h[s] ?? 0));
  return counts;
}

/** the hash fields of a DeviceDeliveryView, in the order deliveryViews reads them (the state first: no state, no record) */
const DELIVERY_VIEW_FIELDS = [
  DEVICE_FIELDS.state,
  DEVICE_FIELDS.site,
  DEVICE_FIELDS.thing,
  DEVICE_FIELDS.batch,
  DEVICE_FIELDS.delivery,
  STATE_TIME_FIELDS.accepted,
  STATE_TIME_FIELDS.delivered,
] as const;

/** the hash fields of a DeviceVerifyView, in the order verifyViews reads them (the state first: no state, no record) */
const VERIFY_VIEW_FIELDS = [DEVICE_FIELDS.state, DEVICE_FIELDS.site, DEVICE_FIELDS.thing, DEVICE_FIELDS.batch, DEVICE_FIELDS.node, STATE_TIME_FIELDS.accepted] as const;

/** the hash fields of a DeviceOwner, in the order owners reads them */
const OWNER_FIELDS = [DEVICE_FIELDS.state, DEVICE_FIELDS.site, DEVICE_FIELDS.thing] as const;

function toDeviceRecord(deviceId: string, h: Record<string, string>): DeviceRecord | null {
  if (!h[DEVICE_FIELDS.state]) return null;
  const times: Partial<Record<DeviceState, number>> = {};
  for (const s of DEVICE_STATES) {
    const t = h[STATE_TIME_FIELDS[s]];
    if (t !== undefined) times[s] = Number(t);
  }
  let attributes: Record<string, string> = {};
  try {
    const attrs = h[DEVICE_FIELDS.attributes];
    attributes = attrs ? (JSON.parse(attrs) as Record<string, string>) : {};
  } catch {
    attributes = {};
  }
  const tag = h[DEVICE_FIELDS.tag];
  return {
    deviceId,
    state: h[DEVICE_FIELDS.state] as DeviceState,
    siteId: h[DEVICE_FIELDS.site] ?? '',
    thingName: h[DEVICE_FIELDS.thing] ?? deviceId,
    attributes,
    batchId: h[DEVICE_FIELDS.batch] || null,
    activationId: h[DEVICE_FIELDS.activation] || null,
    deliveryId: h[DEVICE_FIELDS.delivery] || null,
    managedNodeId: h[DEVICE_FIELDS.node] || null,
    error: h[DEVICE_FIELDS.error] || null,
    rebatches: Number(h[DEVICE_FIELDS.rebatches] ?? 0),
    times,
    updatedAt: h[DEVICE_FIELDS.updated] ? Number(h[DEVICE_FIELDS.updated]) : null,
    tagState: tag === 'p' ? 'pending' : tag === 'd' ? 'tagged' : tag === 'x' ? 'refused' : null,
    taggedAt: num(h[DEVICE_FIELDS.taggedAt]),
  };
}

function num(v: string | undefined): number | null {
  return v === undefined || v === '' ? null : Number(v);
}
