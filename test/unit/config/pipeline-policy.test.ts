import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { pipelinePolicy } from '../../../src/config/pipeline-policy.js';
import { ConfigError } from '../../../src/domain/errors.js';

const KEY_HEX = 'b2'.repeat(32);
const base = { batchWindowsMs: [2_000], reconcileIntervalMs: 1_000, retentionMs: 30 * 86_400_000, tagPerSecond: 10 };

describe('pipeline policy', () => {
  it('derives every default from the settings users set', () => {
    expect(pipelinePolicy(base)).toEqual({
      cutIntervalMs: 100,
      activationLeaseMs: 30_000,
      reconcileLeaseMs: 5_000,
      inPassAttempts: 6,
      redeliverAfterMs: 20_000,
      stuckAfterMs: 10_000,
      retentionSweepMs: 60_000,
      tagIntervalMs: 1_000,
      tagClaimLimit: 20,
      budgetLogIntervalMs: 60_000,
    });
  });

  it('keeps each derived figure inside its bounds', () => {
    const fast = pipelinePolicy({ batchWindowsMs: [100, 5_000], reconcileIntervalMs: 10, retentionMs: 60_000, tagPerSecond: 1_000 });
    expect(fast).toMatchObject({ cutIntervalMs: 25, reconcileLeaseMs: 5_000, redeliverAfterMs: 2_000, retentionSweepMs: 15_000, tagIntervalMs: 50, tagClaimLimit: 500 });
    const slow = pipelinePolicy({ batchWindowsMs: [], reconcileIntervalMs: 10_000, retentionMs: 86_400_000, tagPerSecond: 1 });
    expect(slow).toMatchObject({ cutIntervalMs: 100, reconcileLeaseMs: 30_000, redeliverAfterMs: 60_000, retentionSweepMs: 60_000, tagIntervalMs: 1_000, tagClaimLimit: 10 });
  });

  it('takes overrides, an absent one keeping its default', () => {
    expect(pipelinePolicy(base, { stuckAfterMs: 500, redeliverAfterMs: undefined })).toMatchObject({ stuckAfterMs: 500, redeliverAfterMs: 20_000 });
  });

  it('is part of the frozen config, from FLEET_RECONCILE_INTERVAL_MS and the overrides', () => {
    const config = loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX, FLEET_RECONCILE_INTERVAL_MS: '200' }, overrides: { pipeline: { stuckAfterMs: 1_500 } } });
    expect(config.pipeline).toMatchObject({ redeliverAfterMs: 4_000, reconcileLeaseMs: 5_000, stuckAfterMs: 1_500 });
    expect(Object.isFrozen(config.pipeline)).toBe(true);
  });

  it('refuses an override by its name: unknown, or not a whole number ≥ 1', () => {
    const bad = { pipeline: { stuckAfterMs: 0, cutEveryMs: 10 } as Record<string, number> };
    try {
      loadConfig({ env: { FLEET_SECRET_KEY: KEY_HEX }, overrides: bad });
      expect.unreachable('a bad policy override was accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const paths = (err as ConfigError).issues.map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['overrides: pipeline.stuckAfterMs', 'overrides: pipeline.cutEveryMs']));
    }
  });
});
