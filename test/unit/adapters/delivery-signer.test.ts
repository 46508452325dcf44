/** Delivery ids as per-device secrets: what a device gets opens; anything derived from it does not. */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacDeliverySigner } from '../../../src/adapters/delivery-signer.js';

describe('HmacDeliverySigner', () => {
  const signer = new HmacDeliverySigner(randomBytes(32));

  it('opens what it signed, the same id every time (a redelivery repeats it)', () => {
    const sent = signer.sign('plant_a-m1-0a1b2c3d.7.ab12cd34');
    expect(sent).toMatch(/^plant_a-m1-0a1b2c3d\.7\.ab12cd34\.[A-Za-z0-9_-]{22}$/);
    expect(signer.sign('plant_a-m1-0a1b2c3d.7.ab12cd34')).toBe(sent);
    expect(signer.open(sent)).toBe('plant_a-m1-0a1b2c3d.7.ab12cd34');
  });

  it('opens nothing a batch-mate can build from its own id: another index, its tag moved, a tag re-spelt', () => {
    const mine = signer.sign('b-1.3.n0');
    const tag = mine.split('.').at(-1)!;
    expect(signer.open(`b-1.4.n0.${tag}`)).toBeUndefined();
    expect(signer.open('b-1.4.n0')).toBeUndefined();
    expect(signer.open(`${mine}x`)).toBeUndefined();
    expect(signer.open(`b-1.3.n0.${tag.slice(0, -1)}${tag.at(-1) === 'A' ? 'B' : 'A'}`)).toBeUndefined();
    expect(signer.open('')).toBeUndefined();
    expect(signer.open(`.${tag}`)).toBeUndefined();
  });

  it('opens nothing signed under another key', () => {
    const other = new HmacDeliverySigner(randomBytes(32));
    expect(signer.open(other.sign('b-1.0.n0'))).toBeUndefined();
  });

  it('never opens a string it did not sign (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        expect(signer.open(s)).toBeUndefined();
      }),
    );
  });
});
