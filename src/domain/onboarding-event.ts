/**
 * One device to enroll, as posted to POST /v1/enrollments (docs/CONTRACT.md "Onboarding event"), and its parser.
 * Hand-written rather than a schema: the API checks up to 10,000 events per request on the hot path.
 */
import type { FieldIssue } from './errors.js';
import { isJsonObject, joinPath, jsonTypeOf } from './json-shape.js';

export interface OnboardingEvent {
  readonly deviceId: string;
  readonly siteId: string;
  /** Defaults to deviceId. */
  readonly thingName: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly reenroll: boolean;
}

export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
/** AWS IoT thing names. */
export const THING_NAME_PATTERN = /^[a-zA-Z0-9:_-]{1,128}$/;
/** AWS IoT thing attribute names; values are free text up to the IoT length limit. */
export const ATTRIBUTE_NAME_PATTERN = /^[a-zA-Z0-9_.,@/:#=[\]-]{1,128}$/;
export const ATTRIBUTE_VALUE_MAX_LENGTH = 800;
export const MAX_ATTRIBUTES = 50;
export const MAX_EVENTS_PER_REQUEST = 10_000;

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const EVENT_KEYS = new Set(['deviceId', 'siteId', 'thingName', 'attributes', 'reenroll']);
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** Anything that can say whether a site is configured: a `Set` of ids, `SitesConfig.sites`… */
export interface SiteDirectory {
  has(siteId: string): boolean;
}

export type EventResult =
  | { readonly ok: OnboardingEvent }
  /** `deviceId` is there when the event named a valid one, so the API can say which device was refused. */
  | { readonly issues: FieldIssue[]; readonly deviceId?: string };

/** Validates one event. `path` prefixes every issue path (`events[3]` → `events[3].deviceId`). */
export function parseOnboardingEvent(input: unknown, sites: SiteDirectory, path = ''): EventResult {
  if (!isJsonObject(input)) {
    return { issues: [{ path, message: `must be an object (got ${jsonTypeOf(input)})` }] };
  }
  let issues: FieldIssue[] | undefined;
  const addAt = (at: string, message: string): void => void (issues ??= []).push({ path: at, message });
  const add = (field: string, message: string): void => addAt(joinPath(path, field), message);

  for (const key in input) if (!EVENT_KEYS.has(key)) add(key, 'unknown field');

  const { deviceId, siteId, thingName, attributes, reenroll } = input;
  if (deviceId === undefined) add('deviceId', 'is required');
  else if (typeof deviceId !== 'string' || !DEVICE_ID_PATTERN.test(deviceId)) {
    add('deviceId', 'must be 1-128 characters of A-Z a-z 0-9 _ . : -');
  }

  if (siteId === undefined) add('siteId', 'is required');
  else if (typeof siteId !== 'string') add('siteId', `must be a string (got ${jsonTypeOf(siteId)})`);
  else if (!sites.has(siteId)) add('siteId', `unknown site "${siteId.slice(0, 128)}"`);

  if (thingName !== undefined) {
    if (typeof thingName !== 'string' || !THING_NAME_PATTERN.test(thingName)) {
      add('thingName', 'must be an AWS IoT thing name: 1-128 characters of A-Z a-z 0-9 : _ -');
    }
  } else if (typeof deviceId === 'string' && DEVICE_ID_PATTERN.test(deviceId) && !THING_NAME_PATTERN.test(deviceId)) {
    add('thingName', 'is required when deviceId is not a valid AWS IoT thing name (it contains ".")');
  }

  let attrs = NO_ATTRIBUTES;
  if (attributes !== undefined) {
    if (!isJsonObject(attributes)) add('attributes', `must be an object of string values (got ${jsonTypeOf(attributes)})`);
    else attrs = parseAttributes(attributes, joinPath(path, 'attributes'), addAt);
  }

  if (reenroll !== undefined && typeof reenroll !== 'boolean') {
    add('reenroll', `must be true or false (got ${jsonTypeOf(reenroll)})`);
  }

  if (issues) {
    return typeof deviceId === 'string' && DEVICE_ID_PATTERN.test(deviceId) ? { issues, deviceId } : { issues };
  }
  const id = deviceId as string;
  return {
    ok: {
      deviceId: id,
      siteId: siteId as string,
      thingName: (thingName as string | undefined) ?? id,
      attributes: attrs,
      reenroll: reenroll === true,
    },
  };
}

function parseAttributes(
  obj: Record<string, unknown>,
  path: string,
  add: (at: string, message: string) => void,
): Record<string, string> {
  const keys = Object.keys(obj);
  if (keys.length > MAX_ATTRIBUTES) add(path, `at most ${MAX_ATTRIBUTES} attributes (got ${keys.length})`);
  for (const key of keys) {
    const at = joinPath(path, key);
    if (!ATTRIBUTE_NAME_PATTERN.test(key)) add(at, 'attribute name must be 1-128 characters of A-Z a-z 0-9 _ . , @ / : # = [ ] -');
    const value = obj[key];
    if (typeof value !== 'string') add(at, `must be a string (got ${jsonTypeOf(value)})`);
    else if (value.length > ATTRIBUTE_VALUE_MAX_LENGTH) add(at, `must be at most ${ATTRIBUTE_VALUE_MAX_LENGTH} characters`);
    else if (CONTROL_CHARACTER.test(value)) add(at, 'must not contain control characters');
  }
  // fromEntries defines own properties: a "__proto__" key stays data, never a prototype
  return Object.freeze(Object.fromEntries(keys.map((k) => [k, obj[k] as string])));
}

export type EnrollmentBodyResult =
  /** One result per event, in order. A single-event body gives one result with paths like `deviceId`. */
  | { readonly results: EventResult[] }
  /** The body itself is unusable (not an object, `events` not an array, too many events). */
  | { readonly issues: FieldIssue[] };

/**
 * Validates a POST /v1/enrollments body: one event, or `{"events":[…]}` with up to 10,000.
 * Each event is judged on its own (paths `events[3].deviceId`): a bad one never sinks its neighbours.
 */
export function parseEnrollmentBody(body: unknown, sites: SiteDirectory): EnrollmentBodyResult {
  if (!isJsonObject(body)) return { issues: [{ path: '', message: `must be a JSON object (got ${jsonTypeOf(body)})` }] };
  if (!('events' in body)) return { results: [parseOnboardingEvent(body, sites)] };

  const issues: FieldIssue[] = [];
  for (const key of Object.keys(body)) if (key !== 'events') issues.push({ path: joinPath('', key), message: 'unknown field' });
  const { events } = body;
  if (!Array.isArray(events)) issues.push({ path: 'events', message: `must be an array (got ${jsonTypeOf(events)})` });
  else if (events.length === 0) issues.push({ path: 'events', message: 'must hold at least one event' });
  else if (events.length > MAX_EVENTS_PER_REQUEST) {
    issues.push({ path: 'events', message: `at most ${MAX_EVENTS_PER_REQUEST} events per request (got ${events.length})` });
  }
  if (issues.length > 0) return { issues };

  const list = events as unknown[];
  const results = new Array<EventResult>(list.length);
  for (let i = 0; i < list.length; i++) results[i] = parseOnboardingEvent(list[i], sites, `events[${i}]`);
  return { results };
}
