import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/adapters/logger.js';
import { redactQueryValues } from '../../../src/adapters/log-url-redaction.js';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('createLogger', () => {
  it('writes to the injected destination and redacts secrets wherever they are nested', () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    logger.info({ activationCode: 'SECRET-1', msg2: { code: 'SECRET-2', deep: { token: 'SECRET-3' } }, headers: { authorization: 'Bearer SECRET-4' } }, 'hello');
    const text = out.text();
    expect(text).toContain('hello');
    expect(text).toContain('[redacted]');
    for (const s of ['SECRET-1', 'SECRET-2', 'SECRET-3', 'SECRET-4']) expect(text).not.toContain(s);
  });

  it('honours the level', () => {
    const out = capture();
    createLogger('warn', out.stream).info('quiet');
    expect(out.text()).toBe('');
  });

  it('redacts every query value in a request URL, a message and an error', () => {
    expect(redactQueryValues('/v1/sites?token=S1&x=2&access_token=S3#f')).toBe('/v1/sites?token=[redacted]&x=[redacted]&access_token=[redacted]#f');
    expect(redactQueryValues('no query here')).toBe('no query here');
    const out = capture();
    const logger = createLogger('info', out.stream);
    logger.info({ req: { method: 'GET', url: '/a?token=S-REQ' } }, 'Route GET:/a?access_token=S-MSG not found');
    logger.error({ err: new Error('bad /b?api_key=S-ERR') }, 'failed');
    const text = out.text();
    for (const s of ['S-REQ', 'S-MSG', 'S-ERR']) expect(text).not.toContain(s);
    expect(text).toContain('token=[redacted]');
  });
});
