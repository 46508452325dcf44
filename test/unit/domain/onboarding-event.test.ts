import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_EVENTS_PER_REQUEST,
  parseEnrollmentBody,
  parseOnboardingEvent,
  type EventResult,
} from '../../../src/domain/onboarding-event.js';

const sites = new Set(['plant-berlin-1', 'plant-austin-2']);
const good = { deviceId: 'SN-000123', siteId: 'plant-berlin-1', thingName: 'edge-SN-000123', attributes: { model: 'X1' }, reenroll: false };

const issues = (r: EventResult) => ('issues' in r ? r.issues : []);
const paths = (r: EventResult) => issues(r).map((i) => i.path);

describe('parseOnboardingEvent', () => {
  it('accepts the example event of the contract as it is', () => {
    expect(parseOnboardingEvent(good, sites)).toEqual({ ok: good });
  });

  it('defaults thingName to deviceId, attributes to {}, reenroll to false', () => {
    expect(parseOnboardingEvent({ deviceId: 'SN-1', siteId: 'plant-austin-2' }, sites)).toEqual({
      ok: { deviceId: 'SN-1', siteId: 'plant-austin-2', thingName: 'SN-1', attributes: {}, reenroll: false },
    });
  });

  it('refuses a deviceId that is empty, 129 long or has a character outside [A-Za-z0-9_.:-]; 128 is fine', () => {
    expect(paths(parseOnboardingEvent({ ...good, deviceId: '' }, sites))).toEqual(['deviceId']);
    expect(paths(parseOnboardingEvent({ ...good, deviceId: 'a'.repeat(129) }, sites))).toEqual(['deviceId']);
    expect(paths(parseOnboardingEvent({ ...good, deviceId: 'a'.repeat(128) }, sites))).toEqual([]);
    expect(paths(parseOnboardingEvent({ ...good, deviceId: 'SN 1' }, sites))).toEqual(['deviceId']);
    expect(paths(parseOnboardingEvent({ ...good, deviceId: 42 }, sites))).toEqual(['deviceId']);
  });

  it('refuses a thing name outside the AWS IoT rules, and a default thing name that would break them', () => {
    expect(paths(parseOnboardingEvent({ ...good, thingName: 'edge.1' }, sites))).toEqual(['thingName']);
    expect(paths(parseOnboardingEvent({ ...good, thingName: 't'.repeat(129) }, sites))).toEqual(['thingName']);
    const dotted = parseOnboardingEvent({ deviceId: 'SN.1', siteId: 'plant-berlin-1' }, sites);
    expect(issues(dotted)).toEqual([{ path: 'thingName', message: expect.stringMatching(/required when deviceId/) }]);
    expect(parseOnboardingEvent({ deviceId: 'SN.1', siteId: 'plant-berlin-1', thingName: 'SN-1' }, sites)).toHaveProperty('ok');
  });

  it('refuses an unknown site, a missing one, and unknown fields, each with its path', () => {
    const r = parseOnboardingEvent({ deviceId: 'SN-1', siteId: 'plant-nowhere', colour: 'red' }, sites);
    expect(issues(r)).toEqual([
      { path: 'colour', message: 'unknown field' },
      { path: 'siteId', message: 'unknown site "plant-nowhere"' },
    ]);
    expect(r).toHaveProperty('deviceId', 'SN-1');
    expect(paths(parseOnboardingEvent({ deviceId: 'SN-1' }, sites))).toEqual(['siteId']);
  });

  it('checks attributes: string values, names like IoT attribute names, at most 50, values up to 800', () => {
    expect(paths(parseOnboardingEvent({ ...good, attributes: { n: 1 } }, sites))).toEqual(['attributes.n']);
    expect(paths(parseOnboardingEvent({ ...good, attributes: { 'a b': 'x' } }, sites))).toEqual(['attributes["a b"]']);
    expect(paths(parseOnboardingEvent({ ...good, attributes: { v: 'x'.repeat(800) } }, sites))).toEqual([]);
    expect(paths(parseOnboardingEvent({ ...good, attributes: { v: 'x'.repeat(801) } }, sites))).toEqual(['attributes.v']);
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, 'v']));
    expect(paths(parseOnboardingEvent({ ...good, attributes: many(50) }, sites))).toEqual([]);
    expect(paths(parseOnboardingEvent({ ...good, attributes: many(51) }, sites))).toEqual(['attributes']);
    expect(paths(parseOnboardingEvent({ ...good, attributes: ['x'] }, sites))).toEqual(['attributes']);
  });

  it('keeps a "__proto__" attribute as data, never as a prototype', () => {
    const r = parseOnboardingEvent(JSON.parse('{"deviceId":"SN-1","siteId":"plant-berlin-1","attributes":{"__proto__":"x"}}'), sites);
    if (!('ok' in r)) throw new Error('expected ok');
    expect(Object.getPrototypeOf(r.ok.attributes)).toBe(Object.prototype);
    expect(Object.keys(r.ok.attributes)).toEqual(['__proto__']);
  });

  it('refuses a non-boolean reenroll and a non-object event', () => {
    expect(paths(parseOnboardingEvent({ ...good, reenroll: 'yes' }, sites))).toEqual(['reenroll']);
    expect(issues(parseOnboardingEvent([], sites))).toEqual([{ path: '', message: 'must be an object (got array)' }]);
  });
});

describe('parseEnrollmentBody', () => {
  it('judges each event on its own, paths carrying the index', () => {
    const r = parseEnrollmentBody({ events: [good, { ...good, deviceId: 'SN 2' }, { ...good, deviceId: 'SN-3' }] }, sites);
    if (!('results' in r)) throw new Error('expected results');
    expect(r.results).toHaveLength(3);
    expect(r.results[0]).toHaveProperty('ok');
    expect(r.results[1]).toEqual({ issues: [{ path: 'events[1].deviceId', message: expect.any(String) }] });
    expect(r.results[2]).toHaveProperty('ok.deviceId', 'SN-3');
  });

  it('takes a single event body as one result with bare paths', () => {
    const r = parseEnrollmentBody({ deviceId: 'SN-1', siteId: 'x' }, sites);
    expect(r).toEqual({ results: [{ issues: [{ path: 'siteId', message: 'unknown site "x"' }], deviceId: 'SN-1' }] });
  });

  it('refuses the body as a whole when events is not a list, empty, or longer than 10,000', () => {
    expect(parseEnrollmentBody({ events: {} }, sites)).toEqual({ issues: [{ path: 'events', message: 'must be an array (got object)' }] });
    expect(parseEnrollmentBody({ events: [] }, sites)).toHaveProperty('issues');
    expect(parseEnrollmentBody({ events: [good], extra: 1 }, sites)).toEqual({ issues: [{ path: 'extra', message: 'unknown field' }] });
    const max = Array.from({ length: MAX_EVENTS_PER_REQUEST }, (_, i) => ({ deviceId: `SN-${i}`, siteId: 'plant-berlin-1' }));
    expect(parseEnrollmentBody({ events: max }, sites)).toHaveProperty('results');
    expect(parseEnrollmentBody({ events: [...max, good] }, sites)).toHaveProperty('issues.0.path', 'events');
    expect(parseEnrollmentBody('SN-1', sites)).toHaveProperty('issues.0.path', '');
  });
});

describe('onboarding events (properties)', () => {
  const deviceId = fc.stringMatching(/^[A-Za-z0-9_:-]{1,128}$/);
  const event = fc.record(
    {
      deviceId,
      siteId: fc.constantFrom(...sites),
      thingName: fc.stringMatching(/^[a-zA-Z0-9:_-]{1,128}$/),
      attributes: fc.dictionary(fc.stringMatching(/^[a-zA-Z0-9_.,@/:#=-]{1,128}$/), fc.string({ maxLength: 40 }).filter((v) => !/[\u0000-\u001f\u007f]/.test(v)), { maxKeys: 5 }),
      reenroll: fc.boolean(),
    },
    { requiredKeys: ['deviceId', 'siteId'] },
  );

  it('accepts every valid event and returns it with defaults filled in', () => {
    fc.assert(
      fc.property(event, (e) => {
        const r = parseOnboardingEvent(JSON.parse(JSON.stringify(e)), sites);
        expect(r).toEqual({ ok: { thingName: e.deviceId, attributes: {}, reenroll: false, ...e } });
      }),
    );
  });

  /** one field broken in a way the contract forbids; the parser must name exactly that field */
  const mutation = fc.oneof(
    fc.record({ field: fc.constant('deviceId'), value: fc.oneof(fc.constant(''), fc.constant('a'.repeat(129)), fc.constant('SN/1'), fc.integer(), fc.constant(null)) }),
    fc.record({ field: fc.constant('siteId'), value: fc.oneof(fc.constant('plant-nowhere'), fc.boolean(), fc.constant(null)) }),
    fc.record({ field: fc.constant('thingName'), value: fc.oneof(fc.constant(''), fc.constant('edge.1'), fc.constant('t'.repeat(129)), fc.integer()) }),
    fc.record({ field: fc.constant('attributes'), value: fc.oneof(fc.constant('x'), fc.constant([]), fc.constant(null)) }),
    fc.record({ field: fc.constant('reenroll'), value: fc.oneof(fc.constant('true'), fc.integer(), fc.constant(null)) }),
    fc.record({ field: fc.stringMatching(/^[a-z]{1,12}$/).filter((k) => !['deviceid', 'siteid', 'thingname', 'attributes', 'reenroll'].includes(k.toLowerCase())), value: fc.jsonValue() }),
  );

  it('rejects a valid event with one field broken, naming that field and no other', () => {
    fc.assert(
      fc.property(event, mutation, fc.nat(9999), (e, { field, value }, index) => {
        const body = { events: [{ ...e, [field]: value }] };
        // place it at an arbitrary index among valid neighbours
        const events = [...Array.from({ length: index % 5 }, () => e), body.events[0]];
        const r = parseEnrollmentBody(JSON.parse(JSON.stringify({ events })), sites);
        if (!('results' in r)) throw new Error('body refused as a whole');
        const last = r.results[events.length - 1] as EventResult;
        expect(paths(last)).toEqual([`events[${events.length - 1}].${field}`]);
        for (const neighbour of r.results.slice(0, -1)) expect(neighbour).toHaveProperty('ok');
      }),
    );
  });
});

describe('onboarding event messages', () => {
  it('tells what each field should be, with the type it got', () => {
    expect(issues(parseOnboardingEvent({ siteId: 'plant-berlin-1' }, sites))).toEqual([{ path: 'deviceId', message: 'is required' }]);
    expect(issues(parseOnboardingEvent({ deviceId: 'a b', siteId: 1, thingName: 'a.b', attributes: [], reenroll: 'yes' }, sites))).toEqual([
      { path: 'deviceId', message: 'must be 1-128 characters of A-Z a-z 0-9 _ . : -' },
      { path: 'siteId', message: 'must be a string (got number)' },
      { path: 'thingName', message: 'must be an AWS IoT thing name: 1-128 characters of A-Z a-z 0-9 : _ -' },
      { path: 'attributes', message: 'must be an object of string values (got array)' },
      { path: 'reenroll', message: 'must be true or false (got string)' },
    ]);
    expect(issues(parseOnboardingEvent({ deviceId: 'd' }, sites))).toEqual([{ path: 'siteId', message: 'is required' }]);
    expect(issues(parseOnboardingEvent({ deviceId: 'd', siteId: 's'.repeat(200) }, sites))).toEqual([{ path: 'siteId', message: `unknown site "${'s'.repeat(128)}"` }]);
    expect(issues(parseOnboardingEvent(null, sites, 'events[2]'))).toEqual([{ path: 'events[2]', message: 'must be an object (got null)' }]);
  });

  it('attribute messages: name, type, length, control characters', () => {
    const attributes = { 'bad name': 'x', n: 1, long: 'v'.repeat(801), ctl: 'a\u001bb', del: 'a\u007f', ok: 'v'.repeat(800) };
    expect(issues(parseOnboardingEvent({ ...good, attributes }, sites))).toEqual([
      { path: 'attributes["bad name"]', message: 'attribute name must be 1-128 characters of A-Z a-z 0-9 _ . , @ / : # = [ ] -' },
      { path: 'attributes.n', message: 'must be a string (got number)' },
      { path: 'attributes.long', message: 'must be at most 800 characters' },
      { path: 'attributes.ctl', message: 'must not contain control characters' },
      { path: 'attributes.del', message: 'must not contain control characters' },
    ]);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(issues(parseOnboardingEvent({ ...good, attributes: many }, sites))).toEqual([{ path: 'attributes', message: 'at most 50 attributes (got 51)' }]);
  });

  it('a broken event keeps its deviceId when that is valid (so the answer can name the device), not otherwise', () => {
    expect(parseOnboardingEvent({ ...good, siteId: 'nope' }, sites)).toMatchObject({ deviceId: 'SN-000123' });
    expect(parseOnboardingEvent({ ...good, deviceId: 'bad id', siteId: 'nope' }, sites)).not.toHaveProperty('deviceId');
    expect(parseOnboardingEvent({ ...good, deviceId: 7 }, sites)).not.toHaveProperty('deviceId');
  });

  it('a deviceId with "." but a valid thingName needs no more; a non-string deviceId asks for no thingName', () => {
    expect(paths(parseOnboardingEvent({ deviceId: 'a.b', siteId: 'plant-berlin-1', thingName: 'a-b' }, sites))).toEqual([]);
    expect(paths(parseOnboardingEvent({ deviceId: 'a.b', siteId: 'plant-berlin-1' }, sites))).toEqual(['thingName']);
    expect(paths(parseOnboardingEvent({ deviceId: 'a b', siteId: 'plant-berlin-1' }, sites))).toEqual(['deviceId']);
  });

  it('the body: the type it got, and the exact words for empty and too many', () => {
    expect(parseEnrollmentBody('x', sites)).toEqual({ issues: [{ path: '', message: 'must be a JSON object (got string)' }] });
    expect(parseEnrollmentBody({ events: [] }, sites)).toEqual({ issues: [{ path: 'events', message: 'must hold at least one event' }] });
    expect(parseEnrollmentBody({ events: {} }, sites)).toEqual({ issues: [{ path: 'events', message: 'must be an array (got object)' }] });
    const r = parseEnrollmentBody({ events: new Array(MAX_EVENTS_PER_REQUEST + 1).fill(good) }, sites);
    expect(r).toEqual({ issues: [{ path: 'events', message: 'at most 10000 events per request (got 10001)' }] });
    const two = parseEnrollmentBody({ events: [good, good] }, sites);
    expect('results' in two && two.results).toHaveLength(2);
  });
});

describe('onboarding event, non-string ids', () => {
  it('a numeric deviceId is refused as such, and asks for no thingName', () => {
    expect(issues(parseOnboardingEvent({ deviceId: 1.5, siteId: 'plant-berlin-1' }, sites))).toEqual([{ path: 'deviceId', message: 'must be 1-128 characters of A-Z a-z 0-9 _ . : -' }]);
  });
});
