/** The small shared pieces of the domain: typed errors, JSON shape helpers, the Region pattern, the state machine's refusals. */
import { describe, expect, it } from 'vitest';
import { batchSizes, minimumActivations } from '../../../src/domain/batching.js';
import { fullJitterBackoff } from '../../../src/domain/backoff.js';
import { assertBatchTransition } from '../../../src/domain/batch-state.js';
import { assertDeviceTransition } from '../../../src/domain/device-state.js';
import { ActivationRequestError, ConfigError, FleetError, InvalidTransitionError, ValidationError } from '../../../src/domain/errors.js';
import { REGION_PATTERN } from '../../../src/domain/identifiers.js';
import { isJsonObject, joinPath, jsonTypeOf } from '../../../src/domain/json-shape.js';

describe('typed errors', () => {
  it('ValidationError lists every issue in its message, "(root)" for the empty path; permanent, code VALIDATION', () => {
    const e = new ValidationError([
      { path: '', message: 'must be a JSON object' },
      { path: 'events[0].siteId', message: 'unknown site "x"' },
    ]);
    expect(e.message).toBe('invalid input: (root): must be a JSON object; events[0].siteId: unknown site "x"');
    expect(e).toMatchObject({ code: 'VALIDATION', permanent: true, name: 'ValidationError' });
  });

  it('ConfigError and ActivationRequestError say what was invalid and carry their own codes', () => {
    const issue = [{ path: 'api.host', message: 'needs tokens' }];
    expect(new ConfigError(issue)).toMatchObject({ code: 'CONFIG_INVALID', message: 'invalid configuration: api.host: needs tokens', name: 'ConfigError' });
    expect(new ConfigError(issue, 'sites file').message).toBe('invalid sites file: api.host: needs tokens');
    expect(new ActivationRequestError(issue)).toMatchObject({ code: 'ACTIVATION_REQUEST_INVALID', message: 'invalid CreateActivation request: api.host: needs tokens' });
  });

  it('keeps a cause when given and sets none otherwise', () => {
    const cause = new Error('root');
    expect(new FleetError('UNAVAILABLE', 'x', { cause }).cause).toBe(cause);
    expect('cause' in new FleetError('UNAVAILABLE', 'x')).toBe(false);
  });

  it('a refused state change names the machine and both states', () => {
    expect(() => assertBatchTransition('completed', 'open')).toThrow(new InvalidTransitionError('batch', 'completed', 'open'));
    expect(() => assertBatchTransition('completed', 'open')).toThrow('batch cannot go from completed to open');
    expect(() => assertDeviceTransition('registered', 'batched')).toThrow('device cannot go from registered to batched');
    expect(() => assertDeviceTransition('registered', 'accepted', { reenroll: true })).not.toThrow();
    expect(() => assertBatchTransition('open', 'creating')).not.toThrow();
    // a state the machine does not know has no moves (no crash)
    expect(() => assertBatchTransition('lost' as 'open', 'open')).toThrow(InvalidTransitionError);
  });
});

describe('JSON shape helpers', () => {
  it('jsonTypeOf names null and arrays apart from objects', () => {
    expect([null, [], {}, 'x', 1, true, undefined].map(jsonTypeOf)).toEqual(['null', 'array', 'object', 'string', 'number', 'boolean', 'undefined']);
  });

  it('isJsonObject: plain objects only', () => {
    expect([{}, { a: 1 }, null, [], 'x', 1].map(isJsonObject)).toEqual([true, true, false, false, false, false]);
  });

  it('joinPath: index, plain key, quoted odd key, and a key at the root', () => {
    expect(joinPath('sites', 3)).toBe('sites[3]');
    expect(joinPath('', 0)).toBe('[0]');
    expect(joinPath('sites[0]', 'iamRole')).toBe('sites[0].iamRole');
    expect(joinPath('', 'sites')).toBe('sites');
    expect(joinPath('tags', 'aws:owner')).toBe('tags["aws:owner"]');
    expect(joinPath('tags', '1st')).toBe('tags["1st"]');
    expect(joinPath('', 'odd key')).toBe('["odd key"]');
  });
});

describe('REGION_PATTERN', () => {
  it('takes whole Region names only', () => {
    for (const ok of ['us-east-1', 'us-gov-west-1', 'ap-southeast-12', 'eu-central-2']) expect(REGION_PATTERN.test(ok), ok).toBe(true);
    for (const bad of ['xus-east-1', 'us-east-1x', 'us-1', 'us-east-123', 'u-east-1', '1us-east-1']) expect(REGION_PATTERN.test(bad), bad).toBe(false);
  });
});

describe('argument checks', () => {
  it('backoff refuses a negative or fractional attempt and a negative or NaN base or max, saying which', () => {
    expect(() => fullJitterBackoff(1.5, 1, 1)).toThrow('attempt must be an integer ≥ 0 (got 1.5)');
    expect(() => fullJitterBackoff(0, -1, 1)).toThrow('baseMs and maxMs must be ≥ 0');
    expect(() => fullJitterBackoff(0, 1, -1)).toThrow('baseMs and maxMs must be ≥ 0');
    expect(() => fullJitterBackoff(0, Number.NaN, 1)).toThrow(RangeError);
    expect(fullJitterBackoff(0, 0, 0, () => 0.5)).toBe(0);
  });

  it('batching refuses a negative or fractional device count and a batch size below 1 or fractional', () => {
    expect(() => batchSizes(-1, 10)).toThrow('devices must be an integer ≥ 0 (got -1)');
    expect(() => minimumActivations(2.5, 10)).toThrow('devices must be an integer ≥ 0 (got 2.5)');
    expect(() => batchSizes(5, 0)).toThrow('maxBatchSize must be an integer ≥ 1 (got 0)');
    expect(() => batchSizes(5, 1.5)).toThrow('maxBatchSize must be an integer ≥ 1 (got 1.5)');
    expect(batchSizes(3, 1)).toEqual([1, 1, 1]);
    expect(batchSizes(0, 1)).toEqual([]);
  });
});
