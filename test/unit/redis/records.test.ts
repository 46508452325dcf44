import { describe, expect, it } from 'vitest';
import { BATCH_FIELDS, DEVICE_FIELDS, STATE_TIME_FIELDS } from '../../../src/redis/records.js';

describe('the hash field names (declared once, handed to the Lua scripts)', () => {
  it('gives each field of a device hash, times included, its own name', () => {
    const names = [...Object.values(DEVICE_FIELDS), ...Object.values(STATE_TIME_FIELDS)];
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives each field of a batch hash its own name', () => {
    const names = Object.values(BATCH_FIELDS);
    expect(new Set(names).size).toBe(names.length);
  });

  it('names state and site alike in both hashes: the listing script reads either kind of record with them', () => {
    expect(BATCH_FIELDS.state).toBe(DEVICE_FIELDS.state);
    expect(BATCH_FIELDS.site).toBe(DEVICE_FIELDS.site);
  });
});
