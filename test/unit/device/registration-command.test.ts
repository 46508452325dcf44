import { describe, expect, it } from 'vitest';
import { DEFAULT_REGISTER_COMMAND, RegistrationCommand } from '../../../src/device/registration-command.js';
import { redact, REDACTED } from '../../../src/device/secret-redactor.js';

const values = { code: 'C0de; rm -rf / $(id) {id}', id: 'the-id', region: 'eu-west-1', thingName: 'edge-1', deviceId: 'SN-1' };

describe('RegistrationCommand', () => {
  it('fills the default command as separate argv items', () => {
    expect(new RegistrationCommand(DEFAULT_REGISTER_COMMAND).fill(values)).toEqual({
      file: 'amazon-ssm-agent',
      args: ['-register', '-code', values.code, '-id', 'the-id', '-region', 'eu-west-1', '-y'],
    });
  });

  it('keeps a hostile code inside one argument and does not substitute placeholders inside values', () => {
    const { args } = new RegistrationCommand('agent --code={code} --id={id}').fill(values);
    expect(args).toEqual([`--code=${values.code}`, '--id=the-id']);
  });

  it('groups quoted words', () => {
    const command = new RegistrationCommand(`"/opt/my agent/bin" -x 'a b' c""d -h {thingName}`);
    expect(command.fill(values)).toEqual({ file: '/opt/my agent/bin', args: ['-x', 'a b', 'cd', '-h', 'edge-1'] });
  });

  it('refuses unknown placeholders, empty commands and open quotes, naming the flag', () => {
    expect(() => new RegistrationCommand('x {secret}', '--register-command')).toThrow(/--register-command: unknown placeholder \{secret\}/);
    expect(() => new RegistrationCommand('   ')).toThrow(/is empty/);
    expect(() => new RegistrationCommand('x "y')).toThrow(/unterminated/);
  });
});

describe('redact', () => {
  it('removes every occurrence of each secret', () => {
    expect(redact('a SECRET b SECRET', ['SECRET'])).toBe(`a ${REDACTED} b ${REDACTED}`);
    expect(redact('nothing here', ['SECRET', ''])).toBe('nothing here');
  });
});
