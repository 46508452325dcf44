import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchOptions } from '../../../bench/bench-options.js';

describe('parseBenchOptions --broker', () => {
  it('runs on a private Mosquitto unless told otherwise', () => {
    expect(parseBenchOptions([]).broker).toBe('mosquitto');
  });

  it('takes mosquitto or embedded', () => {
    expect(parseBenchOptions(['--broker', 'mosquitto']).broker).toBe('mosquitto');
    expect(parseBenchOptions(['--broker', 'embedded']).broker).toBe('embedded');
  });

  it('refuses any other broker in one line', () => {
    expect(() => parseBenchOptions(['--broker', 'emqx'])).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--broker', 'emqx'])).toThrow(/--broker: mosquitto or embedded, got "emqx"/);
  });
});
