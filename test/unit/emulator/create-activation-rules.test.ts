import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../src/emulator/aws-error.js';
import { parseCreateActivation } from '../../../src/emulator/ssm/create-activation-rules.js';

const NOW = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const base = { IamRole: 'EdgeSSMRole' };
const refusal = (input: Record<string, unknown>): AwsError => {
  try {
    parseCreateActivation(input, NOW);
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error('accepted');
};
const nameChar = fc.constantFrom(...'aZ9_.:/=+-@ é字'.split(''));

describe('CreateActivation rules (emulator side)', () => {
  it('accepts RegistrationLimit 1–1000 and refuses any other integer, naming the member', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5000, max: 5000 }), (limit) => {
        const input = { ...base, RegistrationLimit: limit };
        if (limit >= 1 && limit <= 1000) expect(parseCreateActivation(input, NOW).registrationLimit).toBe(limit);
        else expect(refusal(input)).toMatchObject({ name: 'ValidationException', status: 400, message: expect.stringContaining("'registrationLimit'") });
      }),
    );
  });

  it('accepts an expiry up to 30 days ahead, refuses the past and beyond, defaults to 24 h', () => {
    fc.assert(
      fc.property(fc.integer({ min: -DAY, max: 31 * DAY }), (offset) => {
        const input = { ...base, ExpirationDate: (NOW + offset) / 1000 };
        if (offset > 0 && offset <= 30 * DAY) expect(parseCreateActivation(input, NOW).expiresAt).toBe(NOW + offset);
        else expect(refusal(input).message).toContain("'expirationDate'");
      }),
    );
    expect(parseCreateActivation(base, NOW).expiresAt).toBe(NOW + DAY);
  });

  it('accepts DefaultInstanceName of the character class up to 256, refuses 257 and other characters', () => {
    fc.assert(
      fc.property(fc.array(nameChar, { maxLength: 300 }), fc.constantFrom('', '#', '!', '\n'), (chars, bad) => {
        const name = chars.join('');
        if (name.length <= 256) expect(parseCreateActivation({ ...base, DefaultInstanceName: name }, NOW).defaultInstanceName).toBe(name);
        else expect(refusal({ ...base, DefaultInstanceName: name }).message).toMatch(/'defaultInstanceName'.*256/);
        if (bad !== '' && name.length < 256) expect(refusal({ ...base, DefaultInstanceName: name + bad }).message).toMatch(/'defaultInstanceName'.*pattern/);
      }),
    );
  });

  it('refuses a missing or non-string IamRole, an ARN, and a wrong type as SerializationException', () => {
    expect(refusal({}).message).toContain("'iamRole'");
    expect(refusal({ IamRole: 'arn:aws:iam::123456789012:role/R' }).message).toMatch(/IamRole.*ARN/);
    expect(refusal({ IamRole: 5 })).toMatchObject({ name: 'SerializationException', message: expect.stringContaining('iamRole') });
    expect(refusal({ ...base, RegistrationLimit: 1.5 })).toMatchObject({ name: 'SerializationException' });
    expect(refusal({ ...base, Tags: {} })).toMatchObject({ name: 'SerializationException', message: expect.stringContaining('tags') });
  });
});
