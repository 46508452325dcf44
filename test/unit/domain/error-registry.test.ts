import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES, ApiError } from '../../../src/api/api-error.js';
import { errorHandler } from '../../../src/api/error-handler.js';
import { DEVICE_ERRORS, DeviceError } from '../../../src/device/device-errors.js';
import { RegistrationError } from '../../../src/device/registrar.js';
import { ERROR_REGISTRY, type ErrorCode } from '../../../src/domain/error-registry.js';
import { AwsCallError, ConfigError, FleetError, InvalidTransitionError, NotFoundError, ValidationError } from '../../../src/domain/errors.js';

const CODES = Object.keys(ERROR_REGISTRY) as ErrorCode[];

/** the error handler's answer to `err`, without Fastify */
function answer(err: unknown): { status: number; body: { error: { code: string } } } {
  let status = 0;
  let body: unknown;
  const reply = { status: (s: number) => ((status = s), reply), send: (b: unknown) => ((body = b), reply) };
  const log = { warn: () => undefined, error: () => undefined };
  errorHandler(1024)(err, { id: 'r1', log } as never, reply as never);
  return { status, body: body as { error: { code: string } } };
}

describe('the error registry', () => {
  it('decides permanence for every FleetError by its code', () => {
    for (const code of CODES) expect(new FleetError(code, 'x').permanent, code).toBe(ERROR_REGISTRY[code].permanent);
    expect(new ValidationError([{ path: 'a', message: 'b' }]).permanent).toBe(true);
    expect(new ConfigError([]).code).toBe('CONFIG_INVALID');
    expect(new NotFoundError('batch b1')).toMatchObject({ code: 'NOT_FOUND', permanent: true });
    expect(new InvalidTransitionError('device', 'a', 'b').permanent).toBe(true);
  });

  it('retries a throttled or transient AWS call, never a permanent one', () => {
    const aws = (code: 'AWS_THROTTLED' | 'AWS_TRANSIENT' | 'AWS_PERMANENT') => new AwsCallError(code, 'CreateActivation', 'X', 'm', 400);
    expect([aws('AWS_THROTTLED'), aws('AWS_TRANSIENT'), aws('AWS_PERMANENT')].map((e) => e.permanent)).toEqual([false, false, true]);
    expect(aws('AWS_THROTTLED').throttled).toBe(true);
  });

  it('gives every API answer the status registered for its code', () => {
    for (const code of API_ERROR_CODES) expect(new ApiError(code, 'x').statusCode, code).toBe(ERROR_REGISTRY[code].status);
  });

  it('answers a FleetError meant for the caller with its code and status, any other as a bare 500', () => {
    expect(answer(new InvalidTransitionError('batch', 'active', 'failed'))).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
    expect(answer(new NotFoundError('device d1'))).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(answer(new FleetError('UNAVAILABLE', 'Redis away'))).toMatchObject({ status: 503, body: { error: { code: 'UNAVAILABLE' } } });
    expect(answer(new FleetError('SECRET', 'sealed code of b1 does not open'))).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL' } } });
  });
});

describe('the device side codes', () => {
  it('decide permanence by code, and a registration says whether SSM refused it', () => {
    for (const code of Object.keys(DEVICE_ERRORS) as (keyof typeof DEVICE_ERRORS)[]) {
      expect(new DeviceError(code, 'x').permanent, code).toBe(DEVICE_ERRORS[code].permanent);
    }
    expect(new RegistrationError('InvalidActivation', true)).toMatchObject({ code: 'REGISTRATION_REFUSED', permanent: true });
    expect(new RegistrationError('agent timed out', false)).toMatchObject({ code: 'REGISTRATION_FAILED', permanent: false });
    // none of them borrows an orchestrator code
    expect(Object.keys(DEVICE_ERRORS).filter((c) => c in ERROR_REGISTRY)).toEqual([]);
  });
});
