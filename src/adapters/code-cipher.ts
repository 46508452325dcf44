/**
 * AES-256-GCM for activation codes kept while redelivery may need them. Sealed form (base64url):
 * 12-byte IV ‖ 16-byte tag ‖ ciphertext. The batch id is bound in as additional data, so a sealed code
 * copied onto another batch does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FleetError } from '../domain/errors.js';

export interface CodeCipher {
  seal(code: string, batchId: string): string;
  open(sealed: string, batchId: string): string;
}

export class AesGcmCodeCipher implements CodeCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new FleetError('SECRET', 'secret key must be 32 bytes (AES-256)');
  }

  seal(code: string, batchId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(batchId));
    const body = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(sealed: string, batchId: string): string {
    const raw = Buffer.from(sealed, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(batchId));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch (cause) {
      // never echo the sealed value: only say that it does not open
      throw new FleetError('SECRET', `sealed activation code of batch ${batchId} does not open with this key`, { cause });
    }
  }
}
