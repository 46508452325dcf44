import { createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmCodeCipher } from '../../../src/adapters/code-cipher.js';
import { FleetError } from '../../../src/domain/errors.js';

const CODE = 'aB3dE5fG7hI9jK1lM3nO5pQ7';

/** the error `run` throws; fails the test if it returns */
function thrownBy(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw, it returned');
}

describe('AesGcmCodeCipher', () => {
  const cipher = new AesGcmCodeCipher(randomBytes(32));

  it('opens what it sealed, for the same batch only', () => {
    const sealed = cipher.seal(CODE, 'batch-1');
    expect(sealed).not.toContain(CODE);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain(CODE);
    expect(cipher.open(sealed, 'batch-1')).toBe(CODE);
    expect(() => cipher.open(sealed, 'batch-2')).toThrow(FleetError);
  });

  it('seals the same code differently each time (random IV)', () => {
    expect(cipher.seal(CODE, 'b')).not.toBe(cipher.seal(CODE, 'b'));
  });

  it('refuses a tampered value or another key, without echoing the value', () => {
    const sealed = cipher.seal(CODE, 'b');
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1]! ^= 1;
    const tampered = raw.toString('base64url');
    expect(() => cipher.open(tampered, 'b')).toThrow(/does not open/);
    const otherKey = new AesGcmCodeCipher(randomBytes(32));
    expect(() => otherKey.open(sealed, 'b')).toThrow(/does not open/);
    const refusal = thrownBy(() => otherKey.open(sealed, 'b'));
    expect(refusal).toBeInstanceOf(FleetError);
    expect(refusal.message).not.toContain(sealed);
    expect(refusal.message).not.toContain(CODE);
  });

  it('seals with the key it was given: AES-256-GCM under that key opens it, no other key does', () => {
    const key = randomBytes(32);
    const sealed = new AesGcmCodeCipher(key).seal(CODE, 'batch-k');
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from('batch-k'));
    decipher.setAuthTag(raw.subarray(12, 28));
    expect(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')).toBe(CODE);
    // a fixed key (all zeros, or any key but this one) does not open it
    for (const wrong of [Buffer.alloc(32), Buffer.alloc(32, 0xff), randomBytes(32)]) {
      expect(() => new AesGcmCodeCipher(wrong).open(sealed, 'batch-k')).toThrow(/does not open/);
    }
    // and what two different keys seal differs in a way only the right key undoes
    const other = new AesGcmCodeCipher(randomBytes(32)).seal(CODE, 'batch-k');
    expect(() => new AesGcmCodeCipher(key).open(other, 'batch-k')).toThrow(/does not open/);
  });

  it('wants a 32-byte key', () => {
    expect(() => new AesGcmCodeCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
