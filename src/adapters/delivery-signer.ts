/**
 * Delivery ids as a per-device secret: the id kept in Redis (`<batchId>.<index>.<nonce>`, which batch-mates
 * can guess from their own) goes out with a keyed MAC appended, `<batchId>.<index>.<nonce>.<tag>`, where
 * tag = HMAC-SHA256 over the kept id with a key derived from FLEET_SECRET_KEY (HKDF, its own label, so the
 * AES key of the code cipher is never used twice). Only the device's own credentials message carries it;
 * a redelivery carries the same one. The tag is checked in constant time.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { FleetError } from '../domain/errors.js';

export interface DeliverySigner {
  /** the id a device gets in its credentials message, for the id kept in the device record */
  sign(keptId: string): string;
  /** the kept id inside a presented delivery id, or undefined when its tag is not ours */
  open(presented: string): string | undefined;
}

const TAG_BYTES = 16;
/** base64url of 16 bytes */
const TAG_CHARS = 22;

export class HmacDeliverySigner implements DeliverySigner {
  private readonly key: Buffer;

  constructor(secretKey: Buffer) {
    if (secretKey.length < 32) throw new FleetError('SECRET', 'secret key must be 32 bytes');
    this.key = Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'fleet-enroll delivery-id v1', 32));
  }

  sign(keptId: string): string {
    return `${keptId}.${this.tag(keptId)}`;
  }

  open(presented: string): string | undefined {
    const dot = presented.lastIndexOf('.');
    if (dot <= 0 || presented.length - dot - 1 !== TAG_CHARS) return undefined;
    const keptId = presented.slice(0, dot);
    // the text is compared, not its decoding: one tag has one spelling
    const given = Buffer.from(presented.slice(dot + 1), 'utf8');
    const expected = Buffer.from(this.tag(keptId), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected) ? keptId : undefined;
  }

  private tag(keptId: string): string {
    return createHmac('sha256', this.key).update(keptId, 'utf8').digest().subarray(0, TAG_BYTES).toString('base64url');
  }
}
