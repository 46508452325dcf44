import { describe, expect, it } from 'vitest';
import { cpuSecondsOf, ticksFromStat } from '../../../bench/process-cpu.js';

describe('ticksFromStat', () => {
  it('adds user and system time (fields 14 and 15), whatever the command name holds', () => {
    const rest = 'S 1 2 3 4 5 6 7 8 9 10 250 40 0 0 20 0 1 0 100 1000 50';
    expect(ticksFromStat(`1234 (node) ${rest}`)).toBe(290);
    expect(ticksFromStat(`1234 (a (weird) name) ${rest}`)).toBe(290);
  });

  it('refuses what is not a stat line', () => {
    expect(() => ticksFromStat('garbage')).toThrow();
  });

  it.runIf(process.platform === 'linux')('reads this process', () => {
    expect(cpuSecondsOf(process.pid)).toBeGreaterThan(0);
    expect(cpuSecondsOf(2 ** 30)).toBeUndefined();
  });
});
