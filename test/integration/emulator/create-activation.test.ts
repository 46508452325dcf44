import { CreateActivationCommand, type CreateActivationCommandInput } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, startEmulatorFixture, type EmulatorFixture } from './aws-clients.js';

const DAY = 24 * 60 * 60 * 1000;
let fx: EmulatorFixture;

beforeAll(async () => {
  fx = await startEmulatorFixture();
});
afterAll(async () => fx.close());

const valid = (): CreateActivationCommandInput => ({
  IamRole: 'EdgeSSMRole',
  RegistrationLimit: 10,
  DefaultInstanceName: 'fleet-plant-1-abc',
  Description: 'batch abc',
  ExpirationDate: new Date(Date.now() + DAY),
  Tags: [{ Key: 'fleet:site', Value: 'plant-1' }],
});

describe('CreateActivation through the unmodified SDK', () => {
  it('answers an id and a code matching the response patterns', async () => {
    const out = await fx.ssm().send(new CreateActivationCommand(valid()));
    expect(out.ActivationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(out.ActivationCode!.length).toBeGreaterThanOrEqual(20);
    expect(out.ActivationCode!.length).toBeLessThanOrEqual(250);
  });

  it('accepts every field at its bound', async () => {
    const name = 'n'.repeat(256);
    const out = await fx.ssm().send(
      new CreateActivationCommand({
        IamRole: 'r'.repeat(64),
        RegistrationLimit: 1000,
        DefaultInstanceName: name,
        Description: 'd'.repeat(256),
        ExpirationDate: new Date(Date.now() + 30 * DAY),
        Tags: Array.from({ length: 1000 }, (_, i) => ({ Key: `k${i}`.padEnd(128, 'k'), Value: 'v'.repeat(256) })),
      }),
    );
    expect(out.ActivationId).toBeDefined();
    const low = await fx.ssm().send(new CreateActivationCommand({ IamRole: 'r', RegistrationLimit: 1, DefaultInstanceName: 'Ünïcode name_.:/=+-@ 1', Description: '', Tags: [] }));
    expect(low.ActivationId).toBeDefined();
  });

  const refusals: [string, (input: CreateActivationCommandInput) => void, RegExp][] = [
    ['IamRole missing', (i) => delete (i as { IamRole?: string }).IamRole, /iamRole/],
    ['IamRole of 65 characters', (i) => (i.IamRole = 'r'.repeat(65)), /iamRole.*64/],
    ['IamRole given as an ARN', (i) => (i.IamRole = 'arn:aws:iam::1:role/R'), /IamRole.*ARN/],
    ['RegistrationLimit 0', (i) => (i.RegistrationLimit = 0), /registrationLimit.*greater than or equal to 1/],
    ['RegistrationLimit 1001', (i) => (i.RegistrationLimit = 1001), /registrationLimit.*less than or equal to 1000/],
    ['ExpirationDate in the past', (i) => (i.ExpirationDate = new Date(Date.now() - 1000)), /expirationDate.*future/],
    ['ExpirationDate 30 days + 1 minute ahead', (i) => (i.ExpirationDate = new Date(Date.now() + 30 * DAY + 60_000)), /expirationDate.*30 days/],
    ['DefaultInstanceName of 257 characters', (i) => (i.DefaultInstanceName = 'n'.repeat(257)), /defaultInstanceName.*256/],
    ['DefaultInstanceName with a character outside the class', (i) => (i.DefaultInstanceName = 'fleet#1'), /defaultInstanceName.*pattern/],
    ['Description of 257 characters', (i) => (i.Description = 'd'.repeat(257)), /description.*256/],
    ['1001 tags', (i) => (i.Tags = Array.from({ length: 1001 }, (_, n) => ({ Key: `k${n}`, Value: 'v' }))), /tags.*1000/],
    ['a tag key of 129 characters', (i) => (i.Tags = [{ Key: 'k'.repeat(129), Value: 'v' }]), /tags\.1\.member\.key.*128/],
    ['an empty tag key', (i) => (i.Tags = [{ Key: '', Value: 'v' }]), /tags\.1\.member\.key.*greater than or equal to 1/],
    ['a tag value of 257 characters', (i) => (i.Tags = [{ Key: 'k', Value: 'v'.repeat(257) }]), /tags\.1\.member\.value.*256/],
    ['a tag key outside the class', (i) => (i.Tags = [{ Key: 'bad!', Value: 'v' }]), /tags\.1\.member\.key.*pattern/],
    ['a tag value outside the class', (i) => (i.Tags = [{ Key: 'k', Value: 'a;b' }]), /tags\.1\.member\.value.*pattern/],
    ['a tag key starting aws:', (i) => (i.Tags = [{ Key: 'aws:site', Value: 'v' }]), /tags\.1\.member\.key.*aws:/],
    ['a duplicate tag key', (i) => (i.Tags = [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }]), /tags\.2\.member\.key/],
  ];

  it.each(refusals)('refuses %s with a 400 naming the field', async (_, spoil, message) => {
    const input = valid();
    spoil(input);
    const before = fx.emulator.state;
    const callsBefore = before.operations['ssm.CreateActivation'] ?? { calls: 0, rejected: 0 };
    const error = await rejection(fx.ssm().send(new CreateActivationCommand(input)));
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(['ValidationException', 'InvalidParameters']).toContain(error.name);
    expect(error.message).toMatch(message);
    // refused: counted as a rejected call, and no activation left behind
    const after = fx.emulator.state;
    expect(after.activations.created).toBe(before.activations.created);
    expect(after.operations['ssm.CreateActivation']).toMatchObject({ calls: callsBefore.calls + 1, rejected: callsBefore.rejected + 1 });
  });
});
