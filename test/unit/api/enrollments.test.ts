import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, event, makeApi, testConfig, TOKENS, type TestApi } from './fixtures.js';

describe('POST /v1/enrollments', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await makeApi();
  });
  afterEach(async () => {
    await t.app.close();
  });

  const post = (payload: unknown, token: string = TOKENS.admin) =>
    t.app.inject({ method: 'POST', url: '/v1/enrollments', headers: bearer(token), payload: payload as object });

  it('queues the valid events of a bulk request and rejects each invalid one by index with its field path', async () => {
    const events: unknown[] = [
      event(0),
      { deviceId: 'SN 1', siteId: 'plant-a' }, // bad deviceId
      event(2, 'plant-b'),
      { deviceId: 'SN-3', siteId: 'no-such-site' },
      { deviceId: 'SN-4', siteId: 'plant-a', colour: 'red' }, // unknown field
      'not an object',
      event(6, 'plant-c'),
      { deviceId: 'SN-7', siteId: 'plant-a', attributes: { model: 7 } },
    ];
    const res = await post({ events });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.accepted).toBe(3);
    expect(body.duplicates).toBe(0);
    expect(t.services.enrolled.map((e) => e.deviceId)).toEqual(['SN-000000', 'SN-000002', 'SN-000006']);
    // thingName defaults to deviceId; attributes survive
    expect(t.services.enrolled[0]).toEqual({
      deviceId: 'SN-000000',
      siteId: 'plant-a',
      thingName: 'SN-000000',
      attributes: { model: 'X1' },
      reenroll: false,
    });
    const byIndex = new Map<number, { deviceId?: string; errors: { path: string; message: string }[] }>(
      body.rejected.map((r: { index: number }) => [r.index, r]),
    );
    expect([...byIndex.keys()].sort()).toEqual([1, 3, 4, 5, 7]);
    expect(byIndex.get(1)!.errors).toEqual([{ path: 'events[1].deviceId', message: expect.stringContaining('1-128') }]);
    expect(byIndex.get(1)!.deviceId).toBeUndefined();
    expect(byIndex.get(3)!.deviceId).toBe('SN-3');
    expect(byIndex.get(3)!.errors[0]).toEqual({ path: 'events[3].siteId', message: expect.stringContaining('unknown site') });
    expect(byIndex.get(4)!.errors[0]!.path).toBe('events[4].colour');
    expect(byIndex.get(5)!.errors[0]).toEqual({ path: 'events[5]', message: expect.stringContaining('must be an object') });
    expect(byIndex.get(7)!.errors[0]!.path).toBe('events[7].attributes.model');
    expect(t.services.enrollCalls).toEqual([3]);
    expect(await t.metrics.rejectedEvents.get()).toMatchObject({ values: [{ value: 5 }] });
  });

  it('counts duplicates reported by the services', async () => {
    await post({ events: [event(1), event(2)] });
    const res = await post({ events: [event(1), event(3), { ...event(2), reenroll: true }] });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2, duplicates: 1, rejected: [] });
  });

  it('accepts a single event; a single invalid event is a 400 naming the field without an events[] prefix', async () => {
    const ok = await post({ deviceId: 'SN-1', siteId: 'plant-a', thingName: 'edge-SN-1' });
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(t.services.enrolled[0]!.thingName).toBe('edge-SN-1');

    const bad = await post({ deviceId: 'SN-2', siteId: 'plant-a', reenroll: 'yes' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION', issues: [{ path: 'reenroll' }] });
    expect(bad.json().error.message).toContain('reenroll');
  });

  it('takes 10,000 events in one request and hands them to the services in one call', async () => {
    const events = Array.from({ length: 10_000 }, (_, i) => event(i, i % 2 ? 'plant-a' : 'plant-b'));
    const res = await post({ events });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 10_000, duplicates: 0, rejected: [] });
    expect(t.services.enrollCalls).toEqual([10_000]);
  });

  it('refuses 10,001 events with a 400 naming events, and queues nothing', async () => {
    const events = Array.from({ length: 10_001 }, (_, i) => event(i));
    const res = await post({ events });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([{ path: 'events', message: expect.stringContaining('10000') }]);
    expect(t.services.enrolled).toHaveLength(0);
  });

  it.each([
    ['an array', [event(1)], ''],
    ['null', null, ''],
    ['a number', 42, ''],
    ['events not an array', { events: { a: 1 } }, 'events'],
    ['no events', { events: [] }, 'events'],
    ['an unknown top-level field next to events', { events: [event(1)], station: 'x' }, 'station'],
  ])('refuses a body that is %s with a 400 naming the field', async (_what, payload, path) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/enrollments',
      headers: { ...bearer(TOKENS.admin), 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION');
    expect(res.json().error.issues[0].path).toBe(path);
    expect(t.services.enrolled).toHaveLength(0);
  });

  it('answers malformed JSON with a clear 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/enrollments',
      headers: { ...bearer(TOKENS.admin), 'content-type': 'application/json' },
      payload: '{"events":[{"deviceId":"SN-1",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'BAD_REQUEST', message: 'body is not valid JSON' } });
  });

  it('answers a body over the configured limit with 413 and a non-JSON content type with 415', async () => {
    const small = await makeApi(testConfig({ bodyLimitBytes: 2048 }));
    try {
      const big = await small.app.inject({
        method: 'POST',
        url: '/v1/enrollments',
        headers: bearer(TOKENS.admin),
        payload: { events: Array.from({ length: 100 }, (_, i) => event(i)) },
      });
      expect(big.statusCode).toBe(413);
      expect(big.json().error).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('2048 bytes') });
      expect(small.services.enrolled).toHaveLength(0);

      const xml = await small.app.inject({
        method: 'POST',
        url: '/v1/enrollments',
        headers: { ...bearer(TOKENS.admin), 'content-type': 'application/xml' },
        payload: '<event/>',
      });
      expect(xml.statusCode).toBe(415);
      expect(xml.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    } finally {
      await small.app.close();
    }
  });

  it('lets a line token enroll only for its sites: foreign events rejected per index, neighbours queued', async () => {
    const res = await post({ events: [event(1, 'plant-a'), event(2, 'plant-b'), { deviceId: 'x y', siteId: 'plant-b' }] }, TOKENS.lineA);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.accepted).toBe(1);
    expect(t.services.enrolled.map((e) => e.siteId)).toEqual(['plant-a']);
    expect(body.rejected).toEqual([
      { index: 1, deviceId: 'SN-000002', errors: [{ path: 'events[1].siteId', message: 'this token may not enroll devices for site "plant-b"' }] },
      {
        index: 2,
        errors: [
          { path: 'events[2].deviceId', message: expect.any(String) },
          { path: 'events[2].siteId', message: 'this token may not enroll devices for site "plant-b"' },
        ],
      },
    ]);
  });

  it('answers 403 when no event of the request is inside the line token’s sites', async () => {
    const single = await post(event(1, 'plant-b'), TOKENS.lineA);
    expect(single.statusCode).toBe(403);
    expect(single.json().error).toEqual({ code: 'FORBIDDEN', message: 'this token may not enroll devices for site "plant-b"' });
    const bulk = await post({ events: [event(1, 'plant-b'), event(2, 'plant-c')] }, TOKENS.lineA);
    expect(bulk.statusCode).toBe(403);
    expect(t.services.enrolled).toHaveLength(0);
    // the same events are fine for a line token of every site
    expect((await post({ events: [event(1, 'plant-b'), event(2, 'plant-c')] }, TOKENS.lineAll)).statusCode).toBe(202);
  });

  it('answers 503 with a clear message when Redis cannot be reached', async () => {
    t.services.failWith = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    const res = await post({ events: [event(1)] });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('UNAVAILABLE');
    expect(res.json().error.message).toMatch(/Redis/);
  });
});
