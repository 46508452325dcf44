/**
 * AckService's coalescing, over a recording ack store: the acks of one turn and those that arrive while a
 * call is in flight go in one store call (at most 500 each), a lone ack goes within its turn, each caller
 * gets its own verdict and is counted once, and a failed call rejects its own acks only. (What the verdicts
 * are is the ack script's business: test/integration/pipeline/ack-batch.test.ts and stores.test.ts.)
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { HmacDeliverySigner } from '../../../src/adapters/delivery-signer.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { ACK_ERROR_MAX_LENGTH, DEFAULT_TOPICS, type AckMessage } from '../../../src/domain/messages.js';
import { printable } from '../../../src/domain/printable-text.js';
import type { AckVerdict } from '../../../src/redis/device-store.js';
import { AckService } from '../../../src/services/ack-service.js';
import { RecordingAckStore } from './fakes-stores.js';

const BATCH = 'b-plant-1-1';
const ACTIVATION = '11111111-2222-3333-4444-555555555555';
const VERDICTS: readonly AckVerdict[] = ['accepted', 'stale', 'forged', 'claimed'];

/** the end of this turn of the event loop: what AckService gathered in it has gone to the store */
const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function rig() {
  const clock = { now: 7_000_000 };
  const store = new RecordingAckStore();
  const signer = new HmacDeliverySigner(Buffer.alloc(32, 7));
  const metrics = new Metrics();
  const service = new AckService({ devices: store, signer, topics: DEFAULT_TOPICS, metrics, logger: pino({ level: 'silent' }), clock: () => clock.now });
  /** device i's `registered` ack, node i */
  const ackOf = (i: number): AckMessage => ({
    v: 1,
    deliveryId: signer.sign(`${BATCH}.${i}.n1`),
    activationId: ACTIVATION,
    status: 'registered',
    managedNodeId: `mi-${i.toString(16).padStart(17, '0')}`,
  });
  const counted = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const v of (await metrics.acks.get()).values) out[`${v.labels.source}/${v.labels.result}`] = v.value;
    return out;
  };
  return { clock, store, signer, service, ackOf, counted };
}

describe('AckService', () => {
  it('sends the acks of one turn in a few store calls of at most 500, in order; each caller gets its own verdict, counted once', async () => {
    const r = rig();
    // the store's verdict follows the device index, so every caller's answer is its own
    r.store.verdictOf = (input) => VERDICTS[input.index % 4]!;
    const outcomes = await Promise.all(Array.from({ length: 1_200 }, (_, i) => r.service.ack(r.ackOf(i), i % 2 === 0 ? 'http' : 'mqtt')));
    expect(r.store.calls.map((c) => c.inputs.length)).toEqual([500, 500, 200]);
    expect(r.store.calls.flatMap((c) => c.inputs.map((input) => input.index))).toEqual(Array.from({ length: 1_200 }, (_, i) => i));
    expect(r.store.calls.every((c) => c.now === r.clock.now)).toBe(true);
    expect(outcomes).toEqual(Array.from({ length: 1_200 }, (_, i) => (i % 4 === 0 ? 'accepted' : 'stale')));
    // even indices came over http (verdicts accepted, forged), odd ones over mqtt (stale, claimed)
    expect(await r.counted()).toEqual({ 'http/accepted': 300, 'http/forged': 300, 'mqtt/stale': 300, 'mqtt/claimed': 300 });
  });

  it('puts the acks that arrive while a call is in flight, over several turns, together in the next call', async () => {
    const r = rig();
    r.store.hold = true;
    const first = r.service.ack(r.ackOf(0), 'mqtt');
    await endOfTurn();
    expect(r.store.calls.map((c) => c.inputs.length)).toEqual([1]);
    const during = [r.service.ack(r.ackOf(1), 'mqtt'), r.service.ack(r.ackOf(2), 'http')];
    await endOfTurn();
    during.push(r.service.ack(r.ackOf(3), 'mqtt'));
    await endOfTurn();
    // one call in flight at a time: the three wait for it
    expect(r.store.calls).toHaveLength(1);
    r.clock.now += 5;
    r.store.calls[0]!.release();
    expect(await first).toBe('accepted');
    await endOfTurn();
    expect(r.store.calls.map((c) => c.inputs.map((i) => i.index))).toEqual([[0], [1, 2, 3]]);
    expect(r.store.calls[1]!.now).toBe(r.clock.now);
    r.store.calls[1]!.release();
    expect(await Promise.all(during)).toEqual(['accepted', 'accepted', 'accepted']);
  });

  it('sends a lone ack in the turn it came in, in a call of its own, with the topic it came on', async () => {
    const r = rig();
    const outcome = r.service.fromMqtt('fleet/enroll/plant-1/thing-9/ack', Buffer.from(JSON.stringify(r.ackOf(9))));
    await endOfTurn();
    expect(r.store.calls).toHaveLength(1);
    expect(await outcome).toBe('accepted');
    expect(r.store.calls[0]!.inputs).toEqual([
      {
        batchId: BATCH,
        index: 9,
        deliveryId: `${BATCH}.9.n1`,
        activationId: ACTIVATION,
        status: 'registered',
        managedNodeId: 'mi-00000000000000009',
        topic: { siteId: 'plant-1', thingName: 'thing-9' },
        // a registered ack's error is not read: none is sent
        error: '',
      },
    ]);
  });

  it("sends a failed ack's error (or a default one), cut to the limit and printable; a registered ack's none", async () => {
    const r = rig();
    const failed = (i: number, error?: string): AckMessage => ({ v: 1, deliveryId: r.signer.sign(`${BATCH}.${i}.n1`), activationId: ACTIVATION, status: 'failed', ...(error !== undefined ? { error } : {}) });
    const raw = `bad\u0007 ${'x'.repeat(5_000)}`;
    await Promise.all([r.service.ack(failed(1), 'mqtt'), r.service.ack(failed(2, raw), 'mqtt'), r.service.ack(r.ackOf(3), 'mqtt')]);
    const [one, two, three] = r.store.calls.flatMap((c) => c.inputs);
    expect(one!.error).toBe('device reported a failed registration');
    expect(two!.error).toBe(printable(raw.slice(0, ACK_ERROR_MAX_LENGTH)));
    expect(two!.error).not.toContain('\u0007');
    expect(three!.error).toBe('');
  });

  it('rejects every ack of a failed call, and only those: the acks of the next call get their verdicts', async () => {
    const r = rig();
    r.store.hold = true;
    const failing = [r.service.ack(r.ackOf(0), 'mqtt'), r.service.ack(r.ackOf(1), 'mqtt')];
    await endOfTurn();
    const next = [r.service.ack(r.ackOf(2), 'mqtt'), r.service.ack(r.ackOf(3), 'http')];
    await endOfTurn();
    const lost = new Error('Connection is closed.');
    r.store.calls[0]!.fail(lost);
    for (const p of failing) await expect(p).rejects.toBe(lost);
    await endOfTurn();
    expect(r.store.calls.map((c) => c.inputs.map((i) => i.index))).toEqual([[0, 1], [2, 3]]);
    r.store.calls[1]!.release();
    expect(await Promise.all(next)).toEqual(['accepted', 'accepted']);
    // a rejected ack is not counted: the caller logs it and reconcile redelivers that device
    expect(await r.counted()).toMatchObject({ 'mqtt/accepted': 1, 'http/accepted': 1 });
  });

  it('answers malformed acks and acks without our MAC without a store call', async () => {
    const r = rig();
    const unsigned = { ...r.ackOf(1), deliveryId: `${BATCH}.1.n1.${'A'.repeat(22)}` };
    const outcomes = await Promise.all([
      r.service.ack({ ...r.ackOf(0), managedNodeId: 'i-123' }, 'http'),
      r.service.ack(unsigned, 'mqtt'),
      r.service.fromMqtt('not/an/ack/topic', Buffer.from('{')),
    ]);
    await endOfTurn();
    expect(outcomes).toEqual(['invalid', 'stale', 'invalid']);
    expect(r.store.calls).toEqual([]);
    expect(await r.counted()).toMatchObject({ 'http/invalid': 1, 'mqtt/forged': 1, 'mqtt/invalid': 1 });
  });
});
