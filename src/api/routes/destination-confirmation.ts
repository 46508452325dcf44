/**
 * AWS IoT's destination confirmation at the ack URL. Before an IoT rule's HTTPS action may post acks
 * to POST /v1/acks, AWS IoT posts `{"arn","confirmationToken","enableUrl","messageType":"DestinationConfirmation"}`
 * there, with the header `x-amz-rules-engine-message-type: DestinationConfirmation` and without the
 * rule's headers (so without our API token). That request reaches this route, outside the token check;
 * the same body sent with a token to the ack route is handed here too. Either way it is answered by
 * confirming the destination (see DestinationConfirmationService), never taken for an ack.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import '../fastify-types.js';
import type { Metrics } from '../../adapters/metrics.js';
import { DESTINATION_CONFIRMATION, parseDestinationConfirmation, type DestinationConfirmation } from '../../domain/destination-confirmation.js';
import { ApiError } from '../api-error.js';
import { errors } from '../openapi/schemas.js';

export const MESSAGE_TYPE_HEADER = 'x-amz-rules-engine-message-type';

export interface DestinationConfirmer {
  confirm(message: DestinationConfirmation): Promise<string>;
}

export interface DestinationConfirmationDeps {
  readonly metrics: Metrics;
  /** absent: this process cannot confirm (answered 503, counted) */
  readonly confirmer: DestinationConfirmer | undefined;
}

const resultSchema = {
  type: 'object',
  properties: { result: { type: 'string', description: 'confirmed, already-confirmed, unknown-destination, wrong-region or busy' } },
} as const;

/** Answers one confirmation message (from this route or from the ack route). */
export async function answerDestinationConfirmation(body: unknown, reply: FastifyReply, { metrics, confirmer }: DestinationConfirmationDeps): Promise<FastifyReply> {
  const parsed = parseDestinationConfirmation(body);
  if ('issues' in parsed) {
    metrics.destinationConfirmations.inc({ result: 'invalid' });
    throw ApiError.validation(parsed.issues, 'destination confirmation');
  }
  if (confirmer === undefined) {
    metrics.destinationConfirmations.inc({ result: 'error' });
    throw new ApiError('UNAVAILABLE', 'this process cannot confirm topic rule destinations');
  }
  try {
    return await reply.status(200).send({ result: await confirmer.confirm(parsed.ok) });
  } catch (err) {
    metrics.destinationConfirmations.inc({ result: 'error' });
    throw new ApiError('UNAVAILABLE', `could not confirm ${parsed.ok.arn}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function destinationConfirmationRoutes(app: FastifyInstance, deps: DestinationConfirmationDeps): void {
  app.addConstraintStrategy({
    name: 'rulesEngineMessageType',
    storage() {
      const handlers = new Map<string, unknown>();
      return { get: (type: string) => (handlers.get(type) ?? null) as never, set: (type: string, store: unknown) => void handlers.set(type, store) };
    },
    deriveConstraint: (req: { headers: Record<string, string | string[] | undefined> }) => req.headers[MESSAGE_TYPE_HEADER] as string,
    // a request with another message type goes to the ack route like any other
    mustMatchWhenDerived: false,
  });
  // AWS IoT may append `/?confirmationToken=…` to the confirmation URL
  for (const path of ['/v1/acks', '/v1/acks/']) {
    app.post(
      path,
      {
        constraints: { rulesEngineMessageType: DESTINATION_CONFIRMATION },
        config: { access: 'public' },
        schema: {
          tags: ['acks'],
          summary: 'AWS IoT destination confirmation (header x-amz-rules-engine-message-type: DestinationConfirmation; no token)',
          description:
            'Answered by calling ConfirmTopicRuleDestination for a destination of this account and Region that is still waiting; ' +
            'a destination already enabled is not confirmed again. Never counted as an ack.',
          response: { 200: resultSchema, ...errors(400, 503) },
        },
      },
      (request, reply) => answerDestinationConfirmation(request.body, reply, deps),
    );
  }
}
