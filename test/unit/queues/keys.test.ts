import { describe, expect, it } from 'vitest';
import { BATCH_STATES } from '../../../src/domain/batch-state.js';
import { Keys } from '../../../src/queues/keys.js';

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
});
