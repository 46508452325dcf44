import { describe, expect, it } from 'vitest';
import { BATCH_STATES } from '../../../src/domain/batch-state.js';
import { KEY_SEGMENTS, Keys } from '../../../src/redis/keys.js';

describe('Keys', () => {
  it('puts every key under one hash tag, so multi-key scripts work on Redis Cluster', () => {
    const k = new Keys('fleet');
    const all = [
      k.device('SN-1'),
      k.buffer('s'),
      k.due,
      k.batch('b'),
      k.batchDevices('b'),
      ...BATCH_STATES.map((s) => k.batchesIn(s)),
      k.acked,
      k.expiries,
      k.counts('s'),
      k.failed('s'),
      k.quota('us-east-1'),
      k.rateBucket('ssm'),
      k.lease('reconcile'),
      `${k.queuePrefix}:activation:1`,
    ];
    for (const key of all) expect(key.startsWith('{fleet}:')).toBe(true);
    expect(new Set(all).size).toBe(all.length);
    expect(k.everything).toBe('{fleet}:*');
  });

  it('builds keys from the one table of segments the Lua scripts get too, each segment its own', () => {
    const k = new Keys('fleet');
    expect(k.device('SN-1')).toBe(`{fleet}:${KEY_SEGMENTS.device}:SN-1`);
    expect(k.due).toBe(`{fleet}:${KEY_SEGMENTS.due}`);
    expect(k.queuePrefix).toBe('{fleet}:q');
    const segments = Object.values(KEY_SEGMENTS);
    expect(new Set(segments).size).toBe(segments.length);
  });
});
