import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../../../src/domain/errors.js';
import { withAwsRetries } from '../../../src/services/aws-retry.js';

const options = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2, random: () => 0 };
const throttled = new AwsCallError('AWS_THROTTLED', 'DescribeInstanceInformation', 'ThrottlingException', 'slow down', 400);
const transient = new AwsCallError('AWS_TRANSIENT', 'AddTagsToResource', 'InternalServerError', 'oops', 500);
const permanent = new AwsCallError('AWS_PERMANENT', 'AddTagsToResource', 'InvalidResourceId', 'no such node', 400);

function failing(errors: Error[], value = 'ok'): { call: () => Promise<string>; calls: () => number } {
  let n = 0;
  return {
    call: async () => {
      const err = errors[n++];
      if (err) throw err;
      return value;
    },
    calls: () => n,
  };
}

describe('withAwsRetries', () => {
  it('retries throttling and transient errors and reports each retry', async () => {
    const seen: string[] = [];
    const f = failing([throttled, transient]);
    expect(await withAwsRetries(f.call, { ...options, onRetry: (e) => seen.push(e.awsName) })).toBe('ok');
    expect(f.calls()).toBe(3);
    expect(seen).toEqual(['ThrottlingException', 'InternalServerError']);
  });

  it('gives up after the bound with the last error', async () => {
    const f = failing([transient, transient, transient, transient, transient]);
    await expect(withAwsRetries(f.call, options)).rejects.toBe(transient);
    expect(f.calls()).toBe(4);
  });

  it('does not retry permanent errors or anything that is not an AWS answer', async () => {
    const p = failing([permanent]);
    await expect(withAwsRetries(p.call, options)).rejects.toBe(permanent);
    expect(p.calls()).toBe(1);
    const other = failing([new Error('redis down')]);
    await expect(withAwsRetries(other.call, options)).rejects.toThrow('redis down');
    expect(other.calls()).toBe(1);
  });
});
