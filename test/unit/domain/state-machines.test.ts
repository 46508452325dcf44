import { describe, expect, it } from 'vitest';
import { BATCH_STATES, TERMINAL_BATCH_STATES, assertBatchTransition, batchStateMachine, canBatchTransition } from '../../../src/domain/batch-state.js';
import {
  DEVICE_STATES,
  assertDeviceTransition,
  canDeviceTransition,
  deviceStateMachine,
  isTerminalDeviceState,
  type DeviceState,
} from '../../../src/domain/device-state.js';
import { InvalidTransitionError } from '../../../src/domain/errors.js';

/** Every allowed move, written out once more: anything not listed must be refused. */
const DEVICE_ALLOWED = new Set([
  'accepted→batched',
  'batched→activated', 'batched→failed',
  'activated→delivered', 'activated→acked', 'activated→accepted', 'activated→failed',
  'delivered→acked', 'delivered→accepted', 'delivered→failed',
  'acked→registered', 'acked→accepted', 'acked→failed',
  'failed→accepted',
]);

const BATCH_ALLOWED = new Set([
  'open→creating', 'open→blocked', 'open→failed',
  'creating→active', 'creating→blocked', 'creating→failed',
  'blocked→creating', 'blocked→failed',
  'active→completed', 'active→expired',
]);

describe('device state machine', () => {
  it('treats registered and failed as terminal, nothing else', () => {
    expect(DEVICE_STATES.filter(isTerminalDeviceState)).toEqual(['registered', 'failed']);
  });

  it('allows exactly the listed moves, for every pair of states', () => {
    for (const from of DEVICE_STATES) {
      for (const to of DEVICE_STATES) {
        expect(canDeviceTransition(from, to), `${from}→${to}`).toBe(DEVICE_ALLOWED.has(`${from}→${to}`));
      }
    }
  });

  it('starts a record accepted (intake) or failed (intake for a removed site), nothing else', () => {
    expect(DEVICE_STATES.filter((s) => deviceStateMachine.canStart(s))).toEqual(['accepted', 'failed']);
  });

  it('re-drives a failed device through the buffer (a new batch), never straight into a batch', () => {
    expect(canDeviceTransition('failed', 'accepted')).toBe(true);
    expect(canDeviceTransition('failed', 'batched')).toBe(false);
  });

  it('walks the happy path in order', () => {
    const path: DeviceState[] = ['accepted', 'batched', 'activated', 'delivered', 'acked', 'registered'];
    for (let i = 1; i < path.length; i++) expect(() => assertDeviceTransition(path[i - 1]!, path[i]!)).not.toThrow();
  });

  it('lets a registered device start over only when re-enrolled', () => {
    expect(canDeviceTransition('registered', 'accepted')).toBe(false);
    expect(canDeviceTransition('registered', 'accepted', { reenroll: true })).toBe(true);
    expect(canDeviceTransition('registered', 'batched', { reenroll: true })).toBe(false);
    expect(canDeviceTransition('failed', 'accepted')).toBe(true);
  });

  it('throws a permanent InvalidTransitionError naming both states', () => {
    expect(() => assertDeviceTransition('registered', 'failed')).toThrow(InvalidTransitionError);
    let thrown: unknown;
    try {
      assertDeviceTransition('accepted', 'registered');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidTransitionError);
    expect(thrown).toMatchObject({ code: 'CONFLICT', permanent: true, from: 'accepted', to: 'registered' });
    expect((thrown as Error).message).toBe('device cannot go from accepted to registered');
  });
});

describe('batch state machine', () => {
  it('allows exactly the listed moves, for every pair of states', () => {
    for (const from of BATCH_STATES) {
      for (const to of BATCH_STATES) {
        expect(canBatchTransition(from, to), `${from}→${to}`).toBe(BATCH_ALLOWED.has(`${from}→${to}`));
      }
    }
  });

  it('never lets an active batch fail without deleting its activation (completed or expired only)', () => {
    expect(() => assertBatchTransition('active', 'failed')).toThrow(/batch cannot go from active to failed/);
  });

  it('starts a batch open (the cut), nothing else', () => {
    expect(BATCH_STATES.filter((s) => batchStateMachine.canStart(s))).toEqual(['open']);
  });

  it('has completed, expired and failed as final states: a re-drive gives the failed devices a new batch', () => {
    expect(TERMINAL_BATCH_STATES).toEqual(['completed', 'expired', 'failed']);
    for (const from of TERMINAL_BATCH_STATES) for (const to of BATCH_STATES) expect(canBatchTransition(from, to)).toBe(false);
  });
});
