/** Device hashes `P:dev:<id>` and the scripts that move devices between states. */
import type { RedisConnection } from './redis-connection.js';
import { DEVICE_STATES, type DeviceState } from '../domain/device-state.js';
import type { OnboardingEvent } from '../domain/onboarding-event.js';
import type { Keys } from './keys.js';
import { STATE_TIME_FIELDS, type DeviceRecord } from './records.js';
import type { RedisScripts } from './redis-scripts.js';

/** Per-site settings the intake script needs to keep the buffer's cut time. */
export interface BufferPolicy {
  readonly batchWindowMs: number;
  readonly maxBatchSize: number;
}

export type AckVerdict = 'accepted' | 'stale' | 'forged';

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

/** One Lua call per chunk keeps Redis responsive with 10,000-event jobs. */
const INTAKE_CHUNK = 500;

export class DeviceStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: Keys,
    private readonly scripts: RedisScripts,
  ) {}

  /** Authoritative dedupe + buffering; idempotent for a retried job (same jobId). */
  async intake(
    jobId: string,
    events: readonly OnboardingEvent[],
    policyOf: (siteId: string) => BufferPolicy,
    now: number,
  ): Promise<{ accepted: number; duplicates: number }> {
    let accepted = 0;
    let duplicates = 0;
    for (let i = 0; i < events.length; i += INTAKE_CHUNK) {
      const args: (string | number)[] = [this.keys.root, jobId, now];
      for (const e of events.slice(i, i + INTAKE_CHUNK)) {
        const policy = policyOf(e.siteId);
        args.push(e.deviceId, e.siteId, e.thingName, JSON.stringify(e.attributes), e.reenroll ? '1' : '0');
        args.push(policy.batchWindowMs, policy.maxBatchSize);
      }
      const [a, d] = (await this.scripts.run('fleetIntake', this.keys.due, args)) as [number, number];
      accepted += a;
      duplicates += d;
    }
    return { accepted, duplicates };
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

  /** Read-only pre-check for the API's answer: which of these devices are in flight now. */
  async inFlight(deviceIds: readonly string[]): Promise<Set<string>> {
    const pipeline = this.redis.pipeline();
    for (const id of deviceIds) pipeline.hget(this.keys.device(id), 'st');
    const results = (await pipeline.exec()) ?? [];
    const busy = new Set<string>();
    results.forEach(([err, st], i) => {
      if (!err && typeof st === 'string' && st !== 'registered' && st !== 'failed') busy.add(deviceIds[i]!);
    });
    return busy;
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

  async markDelivered(batchId: string, deviceIds: readonly string[], now: number): Promise<number> {
    if (deviceIds.length === 0) return 0;
    return (await this.scripts.run('fleetDelivered', this.keys.batch(batchId), [this.keys.root, batchId, now, ...deviceIds])) as number;
  }

  async ack(input: AckInput, now: number): Promise<AckVerdict> {
    const args = [
      this.keys.root,
      input.batchId,
      input.index,
      input.deliveryId,
      input.activationId,
      input.status,
      input.managedNodeId,
      input.topic?.siteId ?? '',
      input.topic?.thingName ?? '',
      now,
      input.error,
    ];
    return (await this.scripts.run('fleetAck', this.keys.acked, args)) as AckVerdict;
  }

  /** Returns the batch's devices still left after these registered. */
  async markRegistered(batchId: string, deviceIds: readonly string[], now: number): Promise<number> {
    return (await this.scripts.run('fleetRegistered', this.keys.batch(batchId), [this.keys.root, batchId, now, ...deviceIds])) as number;
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

export function toCounts(h: Record<string, string>): Record<DeviceState, number> {
  const counts = {} as Record<DeviceState, number>;
  for (const s of DEVICE_STATES) counts[s] = Math.max(0, Number(h[s] ?? 0));
  return counts;
}

function toDeviceRecord(deviceId: string, h: Record<string, string>): DeviceRecord | null {
  if (!h.st) return null;
  const times: Partial<Record<DeviceState, number>> = {};
  for (const s of DEVICE_STATES) {
    const t = h[STATE_TIME_FIELDS[s]];
    if (t !== undefined) times[s] = Number(t);
  }
  let attributes: Record<string, string> = {};
  try {
    attributes = h.attrs ? (JSON.parse(h.attrs) as Record<string, string>) : {};
  } catch {
    attributes = {};
  }
  return {
    deviceId,
    state: h.st as DeviceState,
    siteId: h.site ?? '',
    thingName: h.thing ?? deviceId,
    attributes,
    batchId: h.batch || null,
    activationId: h.aid || null,
    deliveryId: h.did || null,
    managedNodeId: h.node || null,
    error: h.err || null,
    rebatches: Number(h.gen ?? 0),
    times,
    updatedAt: h.upd ? Number(h.upd) : null,
  };
}
