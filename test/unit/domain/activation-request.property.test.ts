import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCreateActivationRequest } from '../../../src/domain/activation-request.js';
import { ActivationRequestError } from '../../../src/domain/errors.js';
import type { Site } from '../../../src/domain/site.js';
import { brokenRules } from './activation-rules.js';

const nameChar = fc.constantFrom(...'abcXYZ019_.:/=+-@ äß漢'.split(''));
const badChar = fc.constantFrom('#', '😀', '\n', '*', '%', '!');
/** strings that are mostly legal, sometimes with a character AWS refuses, around every length bound */
const text = (max: number) =>
  fc.oneof(
    { arbitrary: fc.string({ unit: nameChar, maxLength: max + 2 }), weight: 30 },
    { arbitrary: fc.tuple(fc.string({ unit: nameChar, maxLength: max }), badChar).map(([s, c]) => s + c), weight: 1 },
    { arbitrary: fc.string({ maxLength: max + 2 }), weight: 1 },
  );

const roleName = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{0,66}$/), weight: 10 },
  { arbitrary: fc.constant('arn:aws:iam::123456789012:role/EdgeSSMRole'), weight: 1 },
);

const siteArb: fc.Arbitrary<Site> = fc.record({
  id: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,63}$/),
  region: fc.constant('eu-central-1'),
  iamRole: roleName,
  maxBatchSize: fc.integer({ min: 1, max: 1000 }),
  batchWindowMs: fc.integer({ min: 0, max: 600_000 }),
  activationTtlHours: fc.oneof(
    { arbitrary: fc.double({ min: -1, max: 800, noNaN: true }), weight: 1 },
    { arbitrary: fc.constantFrom(24, 720, 720.0003), weight: 3 },
  ),
  tags: fc.dictionary(text(130), text(258), { maxKeys: 4 }),
});

const inputArb = fc.record({
  site: siteArb,
  batchId: text(252),
  size: fc.oneof(
    { arbitrary: fc.integer({ min: -2, max: 1002 }), weight: 10 },
    { arbitrary: fc.double({ min: 0, max: 1001, noNaN: true }), weight: 1 },
  ),
  now: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
});

describe('buildCreateActivationRequest (properties)', () => {
  it('any request it returns satisfies every CreateActivation rule; anything else is an ActivationRequestError', () => {
    let built = 0;
    let refused = 0;
    fc.assert(
      fc.property(inputArb, ({ site, batchId, size, now }) => {
        try {
          const request = buildCreateActivationRequest({ batchId, siteId: site.id, size, site, now });
          built++;
          expect(brokenRules(request, now)).toEqual([]);
          expect(request.RegistrationLimit).toBe(size);
          expect(request.DefaultInstanceName).toContain(batchId);
        } catch (err) {
          if (!(err instanceof ActivationRequestError)) throw err;
          refused++;
          expect(err.issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
    // both branches were exercised, so neither half of the property is vacuous
    expect(built).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });

  it('builds a request for every valid batch of a valid site', () => {
    const validSite = fc.record({
      id: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,63}$/),
      region: fc.constant('us-east-1'),
      iamRole: fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,64}$/),
      maxBatchSize: fc.integer({ min: 1, max: 1000 }),
      batchWindowMs: fc.constant(2000),
      activationTtlHours: fc.double({ min: 0.01, max: 720, noNaN: true }),
      tags: fc.dictionary(
        fc.string({ unit: nameChar, minLength: 1, maxLength: 128 }).filter((k) => !/^(aws|fleet):/i.test(k)),
        fc.string({ unit: nameChar, maxLength: 256 }),
        { maxKeys: 20 },
      ),
    });
    fc.assert(
      fc.property(validSite, fc.integer({ min: 1, max: 1000 }), fc.stringMatching(/^[a-z0-9-]{1,80}$/), (site, size, batchId) => {
        const now = new Date('2030-06-01T12:00:00Z');
        const request = buildCreateActivationRequest({ batchId, siteId: site.id, size, site, now });
        expect(brokenRules(request, now)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
