/**
 * FLEET_SECRET_KEY: the AES-256-GCM key for activation codes kept for redelivery.
 * Problems are described without ever repeating the value.
 */
import { randomBytes } from 'node:crypto';

export const SECRET_KEY_BYTES = 32;
const HEX = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9_-]{43}$/;

export type SecretKeyResult = { readonly key: Buffer } | { readonly problem: string };

export function parseSecretKey(value: string): SecretKeyResult {
  if (HEX.test(value)) return { key: Buffer.from(value, 'hex') };
  if (BASE64.test(value)) {
    const key = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
    if (key.length === SECRET_KEY_BYTES) return { key };
  }
  return { problem: `must be ${SECRET_KEY_BYTES} bytes written as 64 hex digits or base64 (e.g. \`openssl rand -hex 32\`)` };
}

/** For the demo only: a key that lives as long as the process (its encrypted codes die with it). */
export function generateSecretKey(): Buffer {
  return randomBytes(SECRET_KEY_BYTES);
}
