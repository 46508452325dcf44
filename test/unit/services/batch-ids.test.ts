import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultInstanceNameFor } from '../../../src/domain/activation-request.js';
import { checkDefaultInstanceName } from '../../../src/domain/activation-constraints.js';
import { newBatchId, newDeliveryNonce, parseDeliveryId } from '../../../src/services/batch-ids.js';

describe('batch and delivery ids', () => {
  it('makes batch ids that fit DefaultInstanceName and hold no "." for any site id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), fc.integer({ min: 0, max: 2 ** 45 }), (site, now) => {
        const id = newBatchId(site, now);
        expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(checkDefaultInstanceName(defaultInstanceNameFor(id))).toBeUndefined();
      }),
    );
  });

  it('finds batch and index back in a delivery id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 999 }), (site, index) => {
        const batchId = newBatchId(site, Date.now());
        expect(parseDeliveryId(`${batchId}.${index}.${newDeliveryNonce()}`)).toEqual({ batchId, index });
      }),
    );
  });

  it('refuses what cannot be one of ours', () => {
    for (const bad of ['', 'abc', 'a.b', 'a.1', 'a..n', 'a.1.', 'a b.1.n', 'a.x.n', 'a.12345.n', `${'a'.repeat(121)}.1.n`]) {
      expect(parseDeliveryId(bad)).toBeUndefined();
    }
  });

  it('a batch id: the site id with odd characters as "_", cut to 64, the time in base 36, 8 hex digits', () => {
    expect(newBatchId('plant.berlin/1', 1_700_000_000_000)).toMatch(/^plant_berlin_1-loyw3v28-[0-9a-f]{8}$/);
    expect(newBatchId('s'.repeat(100), 35)).toMatch(new RegExp(`^${'s'.repeat(64)}-z-[0-9a-f]{8}$`));
    expect(newBatchId('a', 0)).not.toBe(newBatchId('a', 0));
  });

  it('a delivery nonce: 8 hex digits, a new one each time', () => {
    const a = newDeliveryNonce();
    expect(a).toMatch(/^[0-9a-f]{8}$/);
    expect(newDeliveryNonce()).not.toBe(a);
  });

  it('refuses a delivery id with anything after the nonce', () => {
    expect(parseDeliveryId('a.1.n')).toEqual({ batchId: 'a', index: 1 });
    expect(parseDeliveryId('a.1.n.x')).toBeUndefined();
    expect(parseDeliveryId('a.1.n x')).toBeUndefined();
  });
});

