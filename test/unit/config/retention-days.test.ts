import { describe, expect, it } from 'vitest';
import { DAY_MS, loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/domain/errors.js';

const KEY = 'a'.repeat(64);

describe('FLEET_RETENTION_DAYS', () => {
  it('defaults to 30 days and takes fractions of a day', () => {
    expect(loadConfig({ env: { FLEET_SECRET_KEY: KEY } }).retentionMs).toBe(30 * DAY_MS);
    expect(loadConfig({ env: { FLEET_SECRET_KEY: KEY, FLEET_RETENTION_DAYS: '0.5' } }).retentionMs).toBe(DAY_MS / 2);
    expect(loadConfig({ env: { FLEET_SECRET_KEY: KEY }, overrides: { retentionMs: 1_500 } }).retentionMs).toBe(1_500);
  });

  it.each(['0', '-1', 'ten', '1e9', '0.0001'])('refuses %j naming the variable', (value) => {
    let error: unknown;
    try {
      loadConfig({ env: { FLEET_SECRET_KEY: KEY, FLEET_RETENTION_DAYS: value } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([expect.objectContaining({ path: 'FLEET_RETENTION_DAYS' })]);
  });
});
