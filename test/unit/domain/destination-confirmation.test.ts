import { describe, expect, it } from 'vitest';
import { isDestinationConfirmation, parseDestinationConfirmation } from '../../../src/domain/destination-confirmation.js';

const ARN = 'arn:aws:iot:eu-central-1:123456789012:ruledestination/http/0f8e6a3c-1b2d-4e5f-9a8b-7c6d5e4f3a2b';
const TOKEN = 'AYADeMXL-Z_3.q+r/s=t~u';
const valid = { arn: ARN, confirmationToken: TOKEN, enableUrl: 'https://iot.eu-central-1.amazonaws.com/confirmdestination/x', messageType: 'DestinationConfirmation' };

/** The paths of the issues, or the parsed confirmation. */
function paths(body: unknown): string[] {
  const r = parseDestinationConfirmation(body);
  return 'issues' in r ? r.issues.map((i) => i.path) : [];
}

describe('isDestinationConfirmation', () => {
  it('is true for any JSON object whose messageType is DestinationConfirmation, valid or not', () => {
    expect(isDestinationConfirmation(valid)).toBe(true);
    expect(isDestinationConfirmation({ messageType: 'DestinationConfirmation' })).toBe(true);
  });

  it('is false for another messageType, no messageType, and anything not a JSON object', () => {
    for (const body of [{ ...valid, messageType: 'Ack' }, { arn: ARN }, null, [valid], 'DestinationConfirmation', 1]) {
      expect(isDestinationConfirmation(body)).toBe(false);
    }
  });
});

describe('parseDestinationConfirmation', () => {
  it('returns the ARN, token, Region and account of a valid confirmation', () => {
    expect(parseDestinationConfirmation(valid)).toEqual({ ok: { arn: ARN, confirmationToken: TOKEN, region: 'eu-central-1', accountId: '123456789012' } });
  });

  it('accepts other partitions and Regions, and no enableUrl (http:// too)', () => {
    const gov = 'arn:aws-us-gov:iot:us-gov-west-1:210987654321:ruledestination/http/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const { enableUrl: _, ...noUrl } = valid;
    expect(parseDestinationConfirmation({ ...noUrl, arn: gov })).toEqual({
      ok: { arn: gov, confirmationToken: TOKEN, region: 'us-gov-west-1', accountId: '210987654321' },
    });
    expect(parseDestinationConfirmation({ ...valid, arn: ARN.replace('eu-central-1', 'ap-southeast-12') })).toMatchObject({ ok: { region: 'ap-southeast-12' } });
    expect(paths({ ...valid, enableUrl: 'http://127.0.0.1/confirm' })).toEqual([]);
  });

  it('refuses anything but a JSON object, at the root', () => {
    for (const body of [null, [valid], 'x', 3]) {
      expect(parseDestinationConfirmation(body)).toEqual({ issues: [{ path: '', message: 'must be a JSON object' }] });
    }
  });

  it('names each broken field with its own message, all at once', () => {
    expect(parseDestinationConfirmation({ messageType: 'Ack', confirmationToken: '', enableUrl: 'ftp://x', extra: 1 })).toEqual({
      issues: [
        { path: 'messageType', message: 'must be "DestinationConfirmation"' },
        { path: 'arn', message: 'must be the ARN of an AWS IoT HTTP topic rule destination' },
        { path: 'confirmationToken', message: 'must be a token of 1–2048 URL-safe characters' },
        { path: 'enableUrl', message: 'must be a URL' },
        { path: 'extra', message: 'unknown field' },
      ],
    });
  });

  it('refuses an ARN that is not an IoT HTTP rule destination, or has anything before or after it', () => {
    const broken = [
      ARN.replace(':iot:', ':ssm:'),
      ARN.replace('arn:aws:', 'arn:AWS:'),
      ARN.replace('/http/', '/vpc/'),
      ARN.replace('123456789012', '12345678901'),
      ARN.replace('123456789012', '1234567890123'),
      ARN.replace('eu-central-1', 'eu-central'),
      ARN.replace('eu-central-1', 'eucentral-1'),
      ARN.replace('eu-central-1', 'eu-central-123'),
      ARN.replace('eu-central-1', 'EU-central-1'),
      ARN.slice(0, -1),
      `${ARN}0`,
      ARN.replace('0f8e6a3c', '0F8E6A3C'),
      `x${ARN}`,
      `${ARN}\n`,
    ];
    for (const arn of broken) expect(paths({ ...valid, arn }), arn).toEqual(['arn']);
    expect(paths({ ...valid, arn: 42 })).toEqual(['arn']);
  });

  it('token: 1 to 2048 URL-safe characters; never echoed in an issue', () => {
    expect(paths({ ...valid, confirmationToken: 'a' })).toEqual([]);
    expect(paths({ ...valid, confirmationToken: 'a'.repeat(2048) })).toEqual([]);
    for (const confirmationToken of ['', 'a'.repeat(2049), 'secret token', 'secret\ntoken', `${TOKEN}#`, 12345]) {
      const r = parseDestinationConfirmation({ ...valid, confirmationToken });
      expect(r).toEqual({ issues: [{ path: 'confirmationToken', message: 'must be a token of 1–2048 URL-safe characters' }] });
      if (typeof confirmationToken === 'string' && confirmationToken !== '') expect(JSON.stringify(r)).not.toContain(confirmationToken);
    }
  });

  it('enableUrl, when present, must be an http(s) URL string', () => {
    for (const enableUrl of ['ftp://x', 'iot.amazonaws.com', ' https://x', 'HTTPS://x', 7, null]) {
      expect(paths({ ...valid, enableUrl }), String(enableUrl)).toEqual(['enableUrl']);
    }
  });

  it('refuses a missing messageType, and every unknown field by name', () => {
    const { messageType: _, ...noType } = valid;
    expect(paths(noType)).toEqual(['messageType']);
    expect(paths({ ...valid, Arn: ARN, token: TOKEN })).toEqual(['Arn', 'token']);
  });
});
