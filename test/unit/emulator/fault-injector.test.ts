import { describe, expect, it } from 'vitest';
import { FaultConfigError, parseFaultConfig } from '../../../src/emulator/fault-config.js';
import { FaultInjector } from '../../../src/emulator/fault-injector.js';
import { seededRandom } from '../../../src/domain/random-source.js';

describe('fault settings', () => {
  it('accepts the documented shape and names the field of a bad one', () => {
    const documented = { 'ssm.CreateActivation': { throttle: 0.2, error: 0.05, latencyMs: 50, tps: 5, dropAnswer: 0.1 } };
    expect(parseFaultConfig(documented)).toEqual(documented);
    expect(Object.isFrozen(parseFaultConfig(documented)['ssm.CreateActivation'])).toBe(true);
    expect(parseFaultConfig({})).toEqual({});
    expect(() => parseFaultConfig({ 'ssm.CreateActivation': { error: -0.1 } })).toThrow(/faults\.ssm\.CreateActivation\.error/);
    expect(() => parseFaultConfig({ 'ssm.CreateActivation': { tps: 0 } })).toThrow(/tps/);
    expect(() => parseFaultConfig({ 'sqs.SendMessage': {} })).toThrow(FaultConfigError);
    expect(() => parseFaultConfig([])).toThrow(FaultConfigError);
  });
});

describe('fault injector', () => {
  it('is reproducible for a seed', () => {
    const run = () => {
      const injector = new FaultInjector(seededRandom(7), () => 0);
      injector.set(parseFaultConfig({ 'iotdata.Publish': { throttle: 0.3, error: 0.3, dropAnswer: 0.5 } }));
      return Array.from({ length: 200 }, () => {
        const d = injector.decide('iotdata.Publish');
        return d.kind === 'proceed' ? (d.dropAnswer ? 'drop' : 'ok') : d.kind;
      });
    };
    const first = run();
    expect(run()).toEqual(first);
    for (const kind of ['throttle', 'error', 'drop', 'ok']) expect(first).toContain(kind);
  });

  it('leaves operations without faults alone', () => {
    const injector = new FaultInjector(seededRandom(1), () => 0);
    injector.set(parseFaultConfig({ 'ssm.CreateActivation': { throttle: 1 } }));
    expect(injector.decide('ssm.DescribeActivations')).toEqual({ kind: 'proceed', latencyMs: 0, dropAnswer: false });
    expect(injector.decide('ssm.CreateActivation').kind).toBe('throttle');
  });

  it('refills the TPS bucket with time: tps calls per second after the first second', () => {
    let now = 0;
    const injector = new FaultInjector(seededRandom(1), () => now);
    injector.set(parseFaultConfig({ 'ssm.CreateActivation': { tps: 2 } }));
    const admitted = () => Array.from({ length: 10 }, () => injector.decide('ssm.CreateActivation')).filter((d) => d.kind === 'proceed').length;
    expect(admitted()).toBe(2);
    now += 500;
    expect(admitted()).toBe(1);
    now += 10_000;
    expect(admitted()).toBe(2); // burst is capped at one second's worth
  });
});
