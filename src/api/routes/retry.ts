/**
 * Re-drive what failed (admin tokens only). `POST /v1/sites/{siteId}/retry` and `POST /v1/retry-failed`
 * extend the batch retry route for `fleet-enroll retry --site / --all-failed`. 202: the work is queued.
 */
import type { FastifyInstance } from 'fastify';
import '../fastify-types.js';
import { ApiError } from '../api-error.js';
import { errors, retryResult } from '../openapi/schemas.js';
import type { RouteDeps } from './route-deps.js';
import { batchIdParam, siteIdParam } from './params.js';

export function retryRoutes(app: FastifyInstance, { config, services }: RouteDeps): void {
  const adminErrors = errors(400, 401, 403, 404, 503);

  app.post<{ Params: { batchId: string } }>(
    '/v1/batches/:batchId/retry',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['retry'],
        summary: 'Re-drive one batch (admin)',
        description: 'Re-queues a failed or stuck batch; its failed devices go back in flight.',
        security: [{ bearerAuth: [] }],
        params: batchIdParam,
        response: { 202: { ...retryResult, description: 're-driven' }, ...adminErrors },
      },
    },
    async (request, reply) => {
      const { batchId } = request.params;
      const result = await services.retryBatch(batchId);
      if (result === null) throw ApiError.notFound(`batch "${batchId}"`);
      return reply.status(202).send(result);
    },
  );

  app.post<{ Params: { siteId: string } }>(
    '/v1/sites/:siteId/retry',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['retry'],
        summary: 'Re-drive every failed batch and device of one site (admin)',
        security: [{ bearerAuth: [] }],
        params: siteIdParam,
        response: { 202: { ...retryResult, description: 're-driven' }, ...adminErrors },
      },
    },
    async (request, reply) => {
      const { siteId } = request.params;
      if (!config.sites.sites.has(siteId)) throw ApiError.notFound(`site "${siteId}"`);
      return reply.status(202).send(await services.retrySite(siteId));
    },
  );

  app.post(
    '/v1/retry-failed',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['retry'],
        summary: 'Re-drive every failed batch and device of every site (admin)',
        security: [{ bearerAuth: [] }],
        response: { 202: { ...retryResult, description: 're-driven' }, ...errors(401, 403, 503) },
      },
    },
    async (_request, reply) => reply.status(202).send(await services.retryAllFailed()),
  );
}
