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

  it('the boundaries: due exactly at half the cap; not for an activation expiring now or exactly at the cap', () => {
    const capMs = 604_800_000;
    expect(retainedRefreshDue(0, 30 * DAY, capMs / 2, 604_800)).toBe(true);
    expect(retainedRefreshDue(0, 30 * DAY, capMs / 2 - 1, 604_800)).toBe(false);
    expect(retainedRefreshDue(0, capMs, capMs / 2, 604_800)).toBe(false);
    expect(retainedRefreshDue(0, capMs + 1, capMs / 2, 604_800)).toBe(true);
    expect(retainedRefreshDue(0, 30 * DAY, 30 * DAY, 604_800)).toBe(false);
    expect(retainedRefreshDue(0, 30 * DAY, 30 * DAY - 1, 604_800)).toBe(true);
  });

  it('measures the activation from the last publish, not from time 0', () => {
    // published on day 10, expires on day 15: lapses within the cap of that publish, nothing to refresh
    expect(retainedRefreshDue(10 * DAY, 15 * DAY, 14 * DAY, 604_800)).toBe(false);
    expect(retainedRefreshDue(10 * DAY, 30 * DAY, 14 * DAY, 604_800)).toBe(true);
  });

  it('uses AWS IoT’s 7-day cap unless told', () => {
    expect(retainedRefreshDue(0, 30 * DAY, 3.5 * DAY)).toBe(true);
    expect(retainedRefreshDue(0, 30 * DAY, 3.5 * DAY - 1)).toBe(false);
  });
});

