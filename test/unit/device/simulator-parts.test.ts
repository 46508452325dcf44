import { describe, expect, it } from 'vitest';
import { ConcurrencyGate } from '../../../src/device/simulator/concurrency-gate.js';
import { BehaviourPicker, unitHash } from '../../../src/device/simulator/device-behaviour.js';

describe('ConcurrencyGate', () => {
  it('never runs more than the limit and runs everything in order', async () => {
    const gate = new ConcurrencyGate(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const tasks = Array.from({ length: 3000 }, (_, i) =>
      gate.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        running--;
        if (i === 5) throw new Error('task 5 fails');
        return i;
      }),
    );
    const results = await Promise.allSettled(tasks);
    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(gate.active).toBe(0);
    expect(gate.queued).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => new ConcurrencyGate(0)).toThrow(RangeError);
  });
});

describe('BehaviourPicker', () => {
  it('spreads hashes over [0, 1)', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => unitHash(`edge-SN-${i}`));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const low = values.filter((v) => v < 0.1).length;
    expect(low).toBeGreaterThan(800);
    expect(low).toBeLessThan(1200);
  });

  it('picks about the asked fractions, the same way every time', () => {
    const picker = new BehaviourPicker({ silentFraction: 0.1, neverAckFraction: 0.2, failAckFraction: 0.3 });
    const names = Array.from({ length: 10_000 }, (_, i) => `edge-${i}`);
    const counts = { normal: 0, silent: 0, 'never-ack': 0, 'fail-ack': 0 };
    for (const n of names) counts[picker.pick(n)]++;
    expect(counts.silent / 10_000).toBeCloseTo(0.1, 1);
    expect(counts['never-ack'] / 10_000).toBeCloseTo(0.2, 1);
    expect(counts['fail-ack'] / 10_000).toBeCloseTo(0.3, 1);
    expect(names.map((n) => picker.pick(n))).toEqual(names.map((n) => picker.pick(n)));
    expect(new BehaviourPicker().pick('edge-1')).toBe('normal');
  });

  it('refuses fractions that do not add up', () => {
    expect(() => new BehaviourPicker({ silentFraction: 0.6, failAckFraction: 0.6 })).toThrow(RangeError);
    expect(() => new BehaviourPicker({ neverAckFraction: -0.1 })).toThrow(RangeError);
  });
});
