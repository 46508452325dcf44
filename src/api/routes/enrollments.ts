/**
 * POST /v1/enrollments. No Fastify body schema on purpose: a 10,000-event body is validated once, by the
 * domain parser, per event (the schema below only documents it). Scope: a line token may only enroll for
 * its sites — foreign events are rejected per index; a request with no event inside the scope is a 403.
 */
import type { FastifyInstance } from 'fastify';
import '../fastify-types.js';
import { ApiError } from '../api-error.js';
import { principalOf } from '../auth/auth-hook.js';
import { sortEnrollment, type EnrollmentAnswer, type Rejection } from '../enrollment-request.js';
import { enrollmentBody, enrollmentResult, errors } from '../openapi/schemas.js';
import type { RouteDeps } from './route-deps.js';

const NO_BODY_VALIDATION = () => () => true;

/** What a 202 promises (FLEET_REDIS_MIN_REPLICAS); docs/RELIABILITY.md has the figures. */
const DURABILITY =
  'With FLEET_REDIS_MIN_REPLICAS=0 (default) the 202 means the events are on the Redis master: a Redis process crash ' +
  'loses none (AOF), a machine crash can lose the last second of 202s (appendfsync everysec), a cluster failover ' +
  'the writes not yet replicated. With N ≥ 1 the 202 comes only once N replicas have them (Redis WAIT), so a ' +
  'failover to one of those replicas loses none; if they do not answer in FLEET_REDIS_REPLICA_TIMEOUT_MS the ' +
  'answer is 503 UNAVAILABLE: send the request again (devices already in flight count as duplicates).';

export function enrollmentRoutes(app: FastifyInstance, { config, services, metrics }: RouteDeps): void {
  const sites = config.sites.sites;

  app.post(
    '/v1/enrollments',
    {
      config: { access: 'line' },
      validatorCompiler: NO_BODY_VALIDATION,
      schema: {
        tags: ['enrollment'],
        summary: 'Enroll one device, or up to 10,000',
        description:
          'Validates every event on its own and queues the valid ones. A single invalid event answers 400 with ' +
          'its issues (paths like `deviceId`); in `{"events":[…]}` invalid events are listed in `rejected` by ' +
          'index (paths like `events[3].deviceId`) and the valid ones are queued. Events for sites outside a ' +
          'line token’s sites are rejected per index; if no event of the request is inside them, 403. A device ' +
          'already in flight, or registered, is counted in `duplicates` unless `reenroll` is true. A device ' +
          'belongs to its site: one recorded at a site outside the token’s sites is rejected as not available ' +
          '(whatever its state); moving it takes `reenroll` and a token for both sites (the old record is kept ' +
          'as history). A thingName another in-flight device of the site holds is rejected.',
        security: [{ bearerAuth: [] }],
        body: enrollmentBody,
        response: { 202: { ...enrollmentResult, description: `valid events queued; invalid ones listed by index. ${DURABILITY}` }, ...errors(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const sorted = sortEnrollment(request.body, sites, principalOf(request));
      if (sorted.kind === 'invalid-body') throw ApiError.validation(sorted.issues, 'body');
      if (sorted.kind === 'forbidden') {
        throw ApiError.forbidden(`this token may not enroll devices for site ${sorted.sites.map((s) => `"${s}"`).join(', ')}`);
      }
      const { single, events, indexes, rejected } = sorted;
      if (rejected.length > 0) metrics.rejectedEvents.inc(rejected.length);
      if (single && rejected.length > 0) throw ApiError.validation(rejected[0]!.errors, 'event');
      const result = events.length > 0 ? await services.enroll(events, principalOf(request)) : { accepted: 0, duplicates: 0 };
      const refused = (result.rejected ?? []).map((r): Rejection => {
        const index = indexes[r.index] ?? r.index;
        const prefix = single ? '' : `events[${index}].`;
        return { index, deviceId: r.deviceId, errors: r.errors.map((e) => ({ path: `${prefix}${e.path}`, message: e.message })) };
      });
      if (refused.length > 0) metrics.rejectedEvents.inc(refused.length);
      if (single && refused.length > 0) throw ApiError.validation(refused[0]!.errors, 'event');
      const all = refused.length === 0 ? rejected : [...rejected, ...refused].sort((a, b) => a.index - b.index);
      const answer: EnrollmentAnswer = { accepted: result.accepted, duplicates: result.duplicates, rejected: all };
      return reply.status(202).send(answer);
    },
  );
}
