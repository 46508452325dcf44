/**
 * Sorts a POST /v1/enrollments body into the events to enqueue and the per-index rejections: the
 * domain validates each event once; here the token's site scope is applied on top. A valid event is
 * never dropped because a neighbour was invalid.
 */
import type { FieldIssue } from '../domain/errors.js';
import { parseEnrollmentBody, type OnboardingEvent, type SiteDirectory } from '../domain/onboarding-event.js';
import type { EnrollResult } from '../services/views.js';
import type { Principal } from './auth/principal.js';

export interface Rejection {
  readonly index: number;
  readonly deviceId?: string;
  readonly errors: FieldIssue[];
}

/** The 202 answer of POST /v1/enrollments: what was queued, what was a duplicate, what was refused and why. */
export interface EnrollmentAnswer extends Omit<EnrollResult, 'rejected'> {
  readonly rejected: readonly Rejection[];
}

export type SortedEnrollment =
  /** the body as a whole is unusable: 400 with these issues */
  | { readonly kind: 'invalid-body'; readonly issues: FieldIssue[] }
  /** every event names a site outside the token's sites: 403 */
  | { readonly kind: 'forbidden'; readonly sites: string[] }
  | {
      readonly kind: 'sorted';
      /** a body that was one event rather than `{"events":[…]}` */
      readonly single: boolean;
      readonly events: OnboardingEvent[];
      /** each event's index in the body */
      readonly indexes: number[];
      readonly rejected: Rejection[];
    };

function outOfScopeIssue(path: string, siteId: string): FieldIssue {
  return { path, message: `this token may not enroll devices for site "${siteId}"` };
}

export function sortEnrollment(body: unknown, sites: SiteDirectory, principal: Principal): SortedEnrollment {
  const parsed = parseEnrollmentBody(body, sites);
  if ('issues' in parsed) return { kind: 'invalid-body', issues: parsed.issues };
  const { results } = parsed;
  const single = results.length === 1 && !(typeof body === 'object' && body !== null && 'events' in body);
  const raw: readonly unknown[] = single ? [body] : (body as { events: unknown[] }).events;

  const events: OnboardingEvent[] = [];
  const indexes: number[] = [];
  const rejected: Rejection[] = [];
  let outOfScope = 0;
  const foreignSites = new Set<string>();
  const scoped = !principal.allSites;

  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    const prefix = single ? '' : `events[${i}].`;
    if ('ok' in r) {
      if (scoped && !principal.allowsSite(r.ok.siteId)) {
        outOfScope++;
        foreignSites.add(r.ok.siteId);
        rejected.push({ index: i, deviceId: r.ok.deviceId, errors: [outOfScopeIssue(`${prefix}siteId`, r.ok.siteId)] });
      } else {
        events.push(r.ok);
        indexes.push(i);
      }
      continue;
    }
    const errors = r.issues;
    if (scoped) {
      const siteId = (raw[i] as { siteId?: unknown } | null | undefined)?.siteId;
      if (typeof siteId === 'string' && !principal.allowsSite(siteId)) {
        outOfScope++;
        foreignSites.add(siteId);
        // an unknown site already has its issue; one message per field is enough
        if (!errors.some((e) => e.path === `${prefix}siteId`)) errors.push(outOfScopeIssue(`${prefix}siteId`, siteId));
      }
    }
    rejected.push(r.deviceId === undefined ? { index: i, errors } : { index: i, deviceId: r.deviceId, errors });
  }

  if (outOfScope > 0 && outOfScope === results.length) return { kind: 'forbidden', sites: [...foreignSites].slice(0, 5) };
  return { kind: 'sorted', single, events, indexes, rejected };
}
