import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { IntervalLoop } from '../../../src/workers/interval-loop.js';

const loops: IntervalLoop[] = [];
afterEach(async () => {
  for (const l of loops.splice(0)) await l.stop();
});

function counting(intervalMs: number, sooner?: () => Promise<number | undefined>): { passes: () => number } {
  let n = 0;
  const loop = new IntervalLoop(intervalMs, async () => void n++, () => undefined, sooner);
  loops.push(loop);
  loop.start();
  return { passes: () => n };
}

describe('IntervalLoop', () => {
  it('runs the next pass when the pass after says so, sooner than its interval', async () => {
    const l = counting(10_000, async () => 20);
    await sleep(250);
    expect(l.passes()).toBeGreaterThanOrEqual(3);
  });

  it('keeps its interval when nothing comes sooner, when asking fails, and never waits longer than it', async () => {
    const none = counting(10_000, async () => undefined);
    const failing = counting(10_000, () => Promise.reject(new Error('redis away')));
    const later = counting(30, async () => 60_000);
    await sleep(250);
    expect(none.passes()).toBe(1);
    expect(failing.passes()).toBe(1);
    expect(later.passes()).toBeGreaterThanOrEqual(3);
  });
});
