import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAwsError, toAwsCallError } from '../../../src/domain/aws-error.js';
import { fullJitterBackoff } from '../../../src/domain/backoff.js';
import { batchSizes, minimumActivations } from '../../../src/domain/batching.js';
import { AwsCallError } from '../../../src/domain/errors.js';

describe('classifyAwsError', () => {
  it.each([
    ['ThrottlingException', 400],
    ['TooManyRequestsException', 429],
    ['ThrottledException', 400],
    ['RequestLimitExceeded', 503],
    ['SlowDown', 503],
    ['SomethingNew', 429],
  ])('%s (%i) is throttling', (name, status) => {
    expect(classifyAwsError({ name, status })).toBe('throttled');
  });

  it.each([
    [{ name: 'InternalServerError', status: 500 }],
    [{ name: 'ServiceUnavailable', status: 503 }],
    [{ name: 'Unknown', status: 502 }],
    [{ name: 'TimeoutError' }],
    [{ name: 'Error', code: 'ECONNRESET' }],
    [{ name: 'Error', code: 'ECONNREFUSED' }],
    [{ name: 'Error', code: 'ETIMEDOUT' }],
    [{ name: 'Error', message: 'socket hang up' }],
  ])('%o is transient', (facts) => {
    expect(classifyAwsError(facts)).toBe('transient');
  });

  it.each([
    [{ name: 'InvalidParameters', status: 400 }],
    [{ name: 'ValidationException', status: 400 }],
    [{ name: 'AccessDeniedException', status: 400 }],
    [{ name: 'AccessDenied', status: 403 }],
    [{ name: 'UnrecognizedClientException', status: 400 }],
    [{ name: 'InvalidSignatureException', status: 400 }],
    [{ name: 'ExpiredTokenException', status: 400 }],
    [{ name: 'SomethingElse', status: 404 }],
  ])('%o is permanent', (facts) => {
    expect(classifyAwsError(facts)).toBe('permanent');
  });

  // Every name on the lists, each with an HTTP status that alone would say otherwise: the name decides first.
  it.each([
    'ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled',
    'RequestThrottledException', 'ProvisionedThroughputExceededException', 'BandwidthLimitExceeded', 'SlowDown', 'EC2ThrottledException',
    'PriorRequestNotComplete', 'TransactionInProgressException',
  ])('%s is throttling whatever the status', (name) => {
    expect(classifyAwsError({ name, status: 400 })).toBe('throttled');
    expect(classifyAwsError({ name })).toBe('throttled');
  });

  it.each([
    'InternalServerError', 'InternalServerException', 'InternalFailure', 'InternalError', 'ServiceUnavailable', 'ServiceUnavailableException',
    'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError',
  ])('%s is transient even with a 4xx status', (name) => {
    expect(classifyAwsError({ name, status: 400 })).toBe('transient');
  });

  it.each([
    'InvalidParameters', 'ValidationException', 'ValidationError', 'InvalidParameterException', 'UnrecognizedClientException',
    'InvalidSignatureException', 'IncompleteSignature', 'InvalidClientTokenId', 'MissingAuthenticationToken', 'SignatureDoesNotMatch',
    'InvalidActivation', 'InvalidActivationId', 'InvalidResourceId', 'InvalidResourceType', 'AccessDeniedException', 'ExpiredTokenException',
  ])('%s is permanent even with a 5xx status or none', (name) => {
    expect(classifyAwsError({ name, status: 500 })).toBe('permanent');
    expect(classifyAwsError({ name })).toBe('permanent');
  });

  it('AccessDenied… and ExpiredToken… are prefixes: a name that only ends with them is not permanent by name', () => {
    expect(classifyAwsError({ name: 'AccessDeniedForNow', status: 500 })).toBe('permanent');
    expect(classifyAwsError({ name: 'ExpiredTokenError', status: 500 })).toBe('permanent');
    expect(classifyAwsError({ name: 'NotAccessDenied', status: 500 })).toBe('transient');
    expect(classifyAwsError({ name: 'NotExpiredToken', status: 500 })).toBe('transient');
  });

  it.each([
    'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ENOTFOUND',
    'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
  ])('network code %s is transient even with a 4xx status recorded', (code) => {
    expect(classifyAwsError({ name: 'Error', code, status: 400 })).toBe('transient');
  });

  it('an unknown name and code: 500 and up transient, 400 to 499 permanent, below 400 transient', () => {
    expect(classifyAwsError({ name: 'Unknown', status: 500 })).toBe('transient');
    expect(classifyAwsError({ name: 'Unknown', status: 499 })).toBe('permanent');
    expect(classifyAwsError({ name: 'Unknown', status: 400 })).toBe('permanent');
    expect(classifyAwsError({ name: 'Unknown', status: 399 })).toBe('transient');
    expect(classifyAwsError({ name: 'Unknown', code: 'EWHATEVER', status: 400 })).toBe('permanent');
    expect(classifyAwsError({})).toBe('transient');
  });

  it('wraps an SDK v3 error into an AwsCallError with its code, name, status and message', () => {
    const sdkError = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    const e = toAwsCallError('CreateActivation', sdkError);
    expect(e).toBeInstanceOf(AwsCallError);
    expect(e).toMatchObject({ code: 'AWS_THROTTLED', awsName: 'ThrottlingException', status: 400, permanent: false, operation: 'CreateActivation' });
    expect(e.message).toBe('CreateActivation failed: ThrottlingException: Rate exceeded');
    expect(e.cause).toBe(sdkError);
    const net = toAwsCallError('Publish', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(net).toMatchObject({ code: 'AWS_TRANSIENT', awsName: 'ECONNRESET' });
    const bad = toAwsCallError('CreateActivation', Object.assign(new Error('bad'), { name: 'InvalidParameters', $metadata: { httpStatusCode: 400 } }));
    expect(bad).toMatchObject({ code: 'AWS_PERMANENT', permanent: true });
  });

  it('returns an AwsCallError as it is', () => {
    const e = toAwsCallError('Publish', new Error('x'));
    expect(toAwsCallError('CreateActivation', e)).toBe(e);
  });

  it('reads only string name, code and message and a numeric status; a thrown string is the message', () => {
    const odd = toAwsCallError('Publish', { name: 7, code: 7, message: 7, $metadata: { httpStatusCode: '500' } });
    expect(odd).toMatchObject({ awsName: 'Error', status: undefined, code: 'AWS_TRANSIENT' });
    expect(odd.message).toBe('Publish failed: Error: unknown error');
    const str = toAwsCallError('Publish', 'socket hang up');
    expect(str.message).toBe('Publish failed: Error: socket hang up');
    expect(toAwsCallError('Publish', undefined).message).toBe('Publish failed: Error: unknown error');
  });

  it('names the error by its code when its name is the generic "Error" or missing', () => {
    expect(toAwsCallError('Publish', Object.assign(new Error('x'), { code: 'EPIPE' })).awsName).toBe('EPIPE');
    expect(toAwsCallError('Publish', { code: 'EPIPE', message: 'x' }).awsName).toBe('EPIPE');
    expect(toAwsCallError('Publish', { name: 'TimeoutError', code: 'ETIMEDOUT' }).awsName).toBe('TimeoutError');
    expect(toAwsCallError('Publish', { message: 'x' }).awsName).toBe('Error');
  });
});

describe('fullJitterBackoff', () => {
  it('stays in [0, min(max, base·2^attempt)) and reaches near the ceiling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (attempt, base, max, r) => {
        const ceiling = Math.min(max, base * 2 ** attempt);
        const d = fullJitterBackoff(attempt, base, max, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
        expect(Number.isInteger(d)).toBe(true);
      }),
    );
    expect(fullJitterBackoff(3, 200, 20_000, () => 0.999999)).toBe(1599);
    expect(fullJitterBackoff(30, 200, 20_000, () => 0.5)).toBe(10_000);
    expect(fullJitterBackoff(0, 200, 20_000, () => 0)).toBe(0);
  });

  it('refuses a negative attempt', () => {
    expect(() => fullJitterBackoff(-1, 1, 1)).toThrow(RangeError);
  });
});

describe('batching arithmetic', () => {
  it('splits n devices into ceil(n/max) batches, each 1..max, summing to n, all full but the last', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 1, max: 1000 }), (n, max) => {
        const sizes = batchSizes(n, max);
        expect(sizes.length).toBe(minimumActivations(n, max));
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
        expect(sizes.every((s) => Number.isInteger(s) && s >= 1 && s <= max)).toBe(true);
        expect(sizes.slice(0, -1).every((s) => s === max)).toBe(true);
        // no fewer batches could hold them
        expect((sizes.length - 1) * max).toBeLessThan(Math.max(n, 1));
      }),
    );
  });

  it('gives the examples by hand', () => {
    expect(batchSizes(2500, 1000)).toEqual([1000, 1000, 500]);
    expect(minimumActivations(1000, 1000)).toBe(1);
    expect(minimumActivations(1001, 1000)).toBe(2);
    expect(minimumActivations(0, 10)).toBe(0);
    expect(() => minimumActivations(5, 0)).toThrow(RangeError);
  });
});
