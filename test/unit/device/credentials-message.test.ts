import { describe, expect, it } from 'vitest';
import { parseCredentialsMessage } from '../../../src/device/credentials-message.js';
import { ValidationError } from '../../../src/domain/errors.js';

const CODE = 'Secret-Code-0123456789abcdef';
const valid = {
  v: 1,
  deliveryId: 'b1.0.x',
  deviceId: 'SN-1',
  siteId: 'plant-1',
  batchId: 'b1',
  activationId: '0123abcd-0123-4567-89ab-0123456789ab',
  activationCode: CODE,
  region: 'eu-central-1',
  expiresAt: '2030-01-01T00:00:00.000Z',
};

function issues(payload: unknown): string[] {
  try {
    parseCredentialsMessage(JSON.stringify(payload));
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).not.toContain(CODE);
    return (err as ValidationError).issues.map((i) => i.path);
  }
  throw new Error('expected a ValidationError');
}

describe('parseCredentialsMessage', () => {
  it('reads a valid message', () => {
    expect(parseCredentialsMessage(Buffer.from(JSON.stringify(valid)))).toEqual(valid);
  });

  it('names every missing or wrong field', () => {
    const { deviceId: _d, ...noDevice } = valid;
    expect(issues({ ...noDevice, v: 2, region: '' })).toEqual(['v', 'deviceId', 'region']);
    expect(issues({ ...valid, activationId: 'nope', expiresAt: 'soon', region: 'mars' })).toEqual([
      'activationId',
      'region',
      'expiresAt',
    ]);
  });

  it('refuses a code that could not be an activation code, without quoting it', () => {
    expect(issues({ ...valid, activationCode: `${CODE} -y` })).toEqual(['activationCode']);
    expect(issues({ ...valid, activationCode: 'short' })).toEqual(['activationCode']);
  });

  it('refuses non-JSON and non-objects', () => {
    expect(() => parseCredentialsMessage('{')).toThrow(/not valid JSON/);
    expect(() => parseCredentialsMessage('[1]')).toThrow(/JSON object/);
  });
});
