import { describe, expect, it } from 'vitest';
import { mosquittoConfig } from '../../../src/devtools/mosquitto-process.js';

describe('mosquittoConfig', () => {
  it('listens on loopback only, keeps nothing, publishes $SYS every second and leaves the per-client limits at their defaults', () => {
    const lines = mosquittoConfig(18_931).trim().split('\n');
    expect(lines).toEqual(['listener 18931 127.0.0.1', 'allow_anonymous true', 'persistence false', 'sys_interval 1']);
    expect(lines.some((l) => /max_inflight_messages|max_queued_messages/.test(l))).toBe(false);
  });

  it('takes another $SYS interval and extra lines', () => {
    expect(mosquittoConfig(1, 5, ['max_queued_messages 10'])).toBe('listener 1 127.0.0.1\nallow_anonymous true\npersistence false\nsys_interval 5\nmax_queued_messages 10\n');
  });
});
