/**
 * POST /v1/acks: a device ack forwarded by an AWS IoT rule (HTTPS action). Line tokens may ack for their
 * sites only, so they must say which (`topic` or `siteId` + `thingName`, as the rule adds them); admin and
 * all-site tokens may omit it. A stale or forged ack is not an error: 202 `stale`, counted by the service.
 */
import type { FastifyInstance } from 'fastify';
import '../fastify-types.js';
import type { AckMessage } from '../../domain/messages.js';
import type { FieldIssue } from '../../domain/errors.js';
import { parseTopic, type TopicParams } from '../../domain/topics.js';
import { ApiError } from '../api-error.js';
import { principalOf } from '../auth/auth-hook.js';
import { ackBody, ackResult, errors } from '../openapi/schemas.js';
import { issuesFromSchemaErrors, type SchemaErrorLike } from '../schema-issues.js';
import type { RouteDeps } from './route-deps.js';
import { isDestinationConfirmation } from '../../domain/destination-confirmation.js';
import { answerDestinationConfirmation } from './destination-confirmation.js';

interface AckBody {
  v: 1;
  deliveryId: string;
  activationId: string;
  status: 'registered' | 'failed';
  managedNodeId?: string;
  error?: string;
  topic?: string;
  siteId?: string;
  thingName?: string;
}

export function ackRoutes(app: FastifyInstance, { config, services, metrics, destinations }: RouteDeps): void {
  const ackTemplate = config.topics.ack;

  function invalid(issues: FieldIssue[]): ApiError {
    metrics.acks.inc({ source: 'http', result: 'invalid' });
    return ApiError.validation(issues, 'ack');
  }

  function topicOf(body: AckBody): TopicParams | undefined {
    if (body.topic !== undefined) {
      const parsed = parseTopic(ackTemplate, body.topic);
      if (!parsed) throw invalid([{ path: 'topic', message: `does not follow the ack topic template ${ackTemplate}` }]);
      for (const field of ['siteId', 'thingName'] as const) {
        if (body[field] !== undefined && body[field] !== parsed[field]) {
          throw invalid([{ path: field, message: `does not match the ${field} in topic` }]);
        }
      }
      return parsed;
    }
    if (body.siteId === undefined && body.thingName === undefined) return undefined;
    if (body.siteId === undefined) throw invalid([{ path: 'siteId', message: 'is required when thingName is given' }]);
    if (body.thingName === undefined) throw invalid([{ path: 'thingName', message: 'is required when siteId is given' }]);
    return { siteId: body.siteId, thingName: body.thingName };
  }

  app.post<{ Body: AckBody }>(
    '/v1/acks',
    {
      config: { access: 'line' },
      attachValidation: true,
      schema: {
        tags: ['acks'],
        summary: 'A device ack forwarded by an AWS IoT rule (HTTPS action)',
        description:
          'Line tokens must name the site (`topic`, or `siteId` + `thingName`) and may ack only for their ' +
          'sites; admin and `*` tokens may omit it. An ack that does not match the device’s current delivery ' +
          'answers 202 `stale` and is counted, not refused.',
        security: [{ bearerAuth: [] }],
        body: ackBody,
        response: { 202: { ...ackResult, description: 'taken (accepted) or ignored and counted (stale)' }, ...errors(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      if (isDestinationConfirmation(request.body)) return answerDestinationConfirmation(request.body, reply, { metrics, confirmer: destinations });
      if (request.validationError) {
        const v = (request.validationError as { validation?: SchemaErrorLike[] }).validation ?? [];
        throw invalid(issuesFromSchemaErrors(v));
      }
      const body = request.body;
      const topic = topicOf(body);
      const principal = principalOf(request);
      if (!principal.allSites) {
        if (topic === undefined) {
          throw ApiError.forbidden('a token limited to some sites must send the ack\'s topic (or siteId and thingName)');
        }
        if (!principal.allowsSite(topic.siteId)) throw ApiError.forbidden(`this token may not ack for site "${topic.siteId}"`);
      }
      // only the ack's own fields go on: the rule's extra fields stay here
      const ack: AckMessage = {
        v: 1,
        deliveryId: body.deliveryId,
        activationId: body.activationId,
        status: body.status,
        ...(body.managedNodeId === undefined ? {} : { managedNodeId: body.managedNodeId }),
        ...(body.error === undefined ? {} : { error: body.error }),
      };
      const result = await services.ack(ack, 'http', topic);
      if (result === 'invalid') {
        throw ApiError.validation([{ path: '', message: 'the ack does not fit its device or delivery' }], 'ack');
      }
      return reply.status(202).send({ result });
    },
  );
}
