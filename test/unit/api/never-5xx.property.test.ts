import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeApi, TOKENS, type TestApi } from './fixtures.js';

const POST_ROUTES = ['/v1/enrollments', '/v1/acks', '/v1/batches/b-1/retry', '/v1/sites/plant-a/retry', '/v1/retry-failed'];
const GET_ROUTES = ['/v1/devices/', '/v1/sites/', '/v1/batches/'];
const tokens = fc.constantFrom(TOKENS.admin, TOKENS.lineA, TOKENS.lineAll, 'not-a-token');

/** bodies shaped like ours, so the generator also reaches the deeper checks */
const eventLike = fc.record(
  {
    deviceId: fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/), fc.jsonValue()),
    siteId: fc.oneof(fc.constantFrom('plant-a', 'plant-b', 'nowhere', '__proto__'), fc.jsonValue()),
    thingName: fc.oneof(fc.string(), fc.jsonValue()),
    attributes: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.jsonValue())), fc.jsonValue()),
    reenroll: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const ackLike = fc.record(
  {
    v: fc.oneof(fc.constant(1), fc.jsonValue()),
    deliveryId: fc.oneof(fc.string(), fc.jsonValue()),
    activationId: fc.oneof(fc.uuid(), fc.jsonValue()),
    status: fc.oneof(fc.constantFrom('registered', 'failed'), fc.jsonValue()),
    managedNodeId: fc.oneof(fc.constant('mi-0123456789abcdef0'), fc.string()),
    topic: fc.oneof(fc.constant('fleet/enroll/plant-a/t/ack'), fc.string()),
    siteId: fc.string(),
    thingName: fc.string(),
  },
  { requiredKeys: [] },
);
const bodies = fc.oneof(
  fc.json(),
  fc.string(),
  eventLike.map((e) => JSON.stringify(e)),
  fc.array(fc.oneof(eventLike, fc.constantFrom(null, 0, 'x', [], true), fc.jsonValue()), { maxLength: 20 }).map((events) => JSON.stringify({ events })),
  ackLike.map((a) => JSON.stringify(a)),
);

describe('arbitrary input never gives a 5xx', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await makeApi();
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('POST routes, any body (JSON or not)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_ROUTES), bodies, tokens, async (url, payload, token) => {
        const res = await t.app.inject({
          method: 'POST',
          url,
          headers: { ...bearer(token), 'content-type': 'application/json' },
          payload,
        });
        expect(res.statusCode, `${url} ${payload} → ${res.body}`).toBeLessThan(500);
        expect(() => JSON.parse(res.body)).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });

  it('GET routes, any path parameter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...GET_ROUTES), fc.string({ minLength: 1 }), tokens, async (prefix, id, token) => {
        const res = await t.app.inject({ method: 'GET', url: prefix + encodeURIComponent(id), headers: bearer(token) });
        expect(res.statusCode, `${prefix}${id} → ${res.body}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });
});
