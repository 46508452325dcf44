import { describe, expect, it } from 'vitest';
import { retainedRefreshDue } from '../../../src/services/retained-refresh.js';

const DAY = 86_400_000;

describe('retainedRefreshDue', () => {
  it('republishes a 30-day activation’s credentials once half of AWS IoT’s 7-day cap has passed', () => {
    const published = 0;
    const expires = 30 * DAY;
    expect(retainedRefreshDue(published, expires, 3 * DAY, 604_800)).toBe(false);
    expect(retainedRefreshDue(published, expires, 3.5 * DAY, 604_800)).toBe(true);
    // after the refresh the clock starts again
    expect(retainedRefreshDue(3.5 * DAY, expires, 4 * DAY, 604_800)).toBe(false);
  });

  it('never for an activation that lapses within the cap, nor for an expired one', () => {
    expect(retainedRefreshDue(0, 5 * DAY, 4 * DAY, 604_800)).toBe(false);
    expect(retainedRefreshDue(0, 30 * DAY, 31 * DAY, 604_800)).toBe(false);
    expect(retainedRefreshDue(0, null, 4 * DAY, 604_800)).toBe(false);
  });

  it('follows a shorter cap (tests)', () => {
    expect(retainedRefreshDue(0, 3_600_000, 900, 2)).toBe(false);
    expect(retainedRefreshDue(0, 3_600_000, 1_000, 2)).toBe(true);
  });
});
