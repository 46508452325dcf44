/**
 * Operations routes, no token: liveness, readiness, Prometheus. /metrics is unauthenticated like any
 * scrape target (its labels are operations, states and sites — never device ids or secrets); keep the
 * port on an internal network or behind the proxy that fronts the API.
 */
import type { FastifyInstance } from 'fastify';
import '../fastify-types.js';
import { readiness } from '../openapi/schemas.js';
import type { RouteDeps } from './route-deps.js';

export function operationRoutes(app: FastifyInstance, { services, metrics }: RouteDeps): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process answers',
        response: { 200: { description: 'alive', type: 'object', properties: { status: { type: 'string', const: 'ok' } } } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: Redis and AWS reachable (503 when either is not)',
        response: { 200: { ...readiness, description: 'ready' }, 503: { ...readiness, description: 'Redis or AWS not reachable' } },
      },
    },
    async (request, reply) => {
      try {
        const r = await services.readiness();
        const ready = r.redis && r.aws;
        const body = { ready, redis: r.redis, aws: r.aws, ...(r.detail === undefined ? {} : { detail: r.detail }) };
        return reply.status(ready ? 200 : 503).send(body);
      } catch (err) {
        request.log.warn({ err: { message: (err as Error).message } }, 'readiness check failed');
        return reply.status(503).send({ ready: false, redis: false, aws: false, detail: 'readiness check failed' });
      }
    },
  );

  app.get(
    '/metrics',
    {
      config: { access: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format, no token)',
        response: {
          200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
    async (request, reply) => {
      try {
        await services.refreshGauges();
      } catch (err) {
        // counters and histograms are still worth scraping while Redis is away; gauges keep their last value
        request.log.warn({ err: { message: (err as Error).message } }, 'could not refresh gauges from Redis');
      }
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}
