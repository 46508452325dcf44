import { describe, expect, it } from 'vitest';
import { isTerminalDeviceState } from '../../src/domain/device-state.js';

describe('device states', () => {
  it('treats registered and failed as terminal, nothing else', () => {
    expect(isTerminalDeviceState('registered')).toBe(true);
    expect(isTerminalDeviceState('failed')).toBe(true);
    expect(isTerminalDeviceState('delivered')).toBe(false);
  });
});
