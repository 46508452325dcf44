/**
 * The HTTP API, built by a function and started elsewhere (src/app.ts calls listen on listenAddress()).
 * Routes call ApiServices only. Token-checked routes live in their own scope behind the auth hook, so a
 * route added there is protected by default; /healthz, /readyz, /metrics and /docs are public.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type pino from 'pino';
import type { Config } from '../config.js';
import type { Metrics } from '../adapters/metrics.js';
import type { ApiServices } from './services.js';
import './fastify-types.js';
import { ApiError, errorBody } from './api-error.js';
import { authHook } from './auth/auth-hook.js';
import { DEFAULT_REQUEST_DEADLINE_MS, withDeadlines } from './deadline-services.js';
import { TokenAuthenticator } from './auth/token-authenticator.js';
import { clientErrorHandler } from './client-error.js';
import { errorHandler } from './error-handler.js';
import { DEFAULT_API_LIMITS, MAX_PARAM_LENGTH, type ApiLimits } from './server-limits.js';
import { ackRoutes } from './routes/acks.js';
import { destinationConfirmationRoutes, type DestinationConfirmer } from './routes/destination-confirmation.js';
import { enrollmentRoutes } from './routes/enrollments.js';
import { operationRoutes } from './routes/operations.js';
import { readRoutes } from './routes/reads.js';
import { retryRoutes } from './routes/retry.js';
import { listingRoutes } from './routes/listings.js';
import { consoleRoutes } from './routes/console.js';
import type { ListingServices } from './services.js';
import type { RouteDeps } from './routes/route-deps.js';

export { listenAddress, isLoopbackHost, type ListenAddress } from './listen-address.js';

export interface ApiDeps {
  readonly config: Config;
  readonly services: ApiServices;
  readonly metrics: Metrics;
  readonly logger: pino.Logger;
  /** answers AWS IoT's destination confirmation at POST /v1/acks */
  readonly destinations?: DestinationConfirmer;
  /** a service call unanswered this long (Redis down) is a 503; default 5 s */
  readonly requestDeadlineMs?: number;
  /** socket and request bounds (default DEFAULT_API_LIMITS) */
  readonly limits?: Partial<ApiLimits>;
  /** listings, the overview and the console's reads (GET /v1/devices, /v1/batches, /v1/overview) */
  readonly listings?: ListingServices;
}

const API_DESCRIPTION = `Enrolls edge devices into AWS Systems Manager at factory scale.

Auth: \`Authorization: Bearer <token>\`. Tokens come from FLEET_API_TOKENS_FILE, each with a role
(\`line\`: enroll, ack and read its sites; \`admin\`: everything, including retry) and sites (\`*\` for all).
No token or an unknown one → 401; outside the token's role or sites → 403. A device or batch of a site
outside the token's sites answers 404, like an unknown one. With no tokens configured the API is open
and listens on loopback only.

Errors are \`{"error":{"code","message","issues"?}}\`; \`issues\` names each field at fault.
/healthz, /readyz, /metrics and /docs need no token.`;

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const { config, metrics, logger } = deps;
  const services = withDeadlines(deps.services, deps.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS);
  const handleError = errorHandler(config.api.bodyLimitBytes);
  const limits: ApiLimits = { ...DEFAULT_API_LIMITS, ...deps.limits };
  const app = Fastify({
    loggerInstance: logger,
    // errors Fastify raises before routing (bad URL encoding, over-long path parameter) get our shape too
    frameworkErrors: (err, request, reply) => handleError(err, request as FastifyRequest, reply as FastifyReply),
    bodyLimit: config.api.bodyLimitBytes,
    // report every field at fault, never coerce or silently drop fields
    ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: false } },
    return503OnClosing: true,
    // `__proto__` / `constructor` keys stay plain data (JSON.parse's own properties): the domain parser
    // rejects the one event holding them, with its path, instead of the whole body being "not JSON"
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks request timeouts on this interval: a fraction of the timeout keeps the bound close
    http: { headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs), connectionsCheckingInterval: Math.max(50, Math.min(5_000, limits.requestTimeoutMs / 4)) },
    clientErrorHandler,
  }) as unknown as FastifyInstance;
  app.server.maxConnections = limits.maxConnections;
  // the API reads JSON only: a text/plain body is a 415 like any other media type
  app.removeContentTypeParser('text/plain');

  app.decorateRequest('principal', null);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const err = new ApiError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`);
    return reply.status(404).send(errorBody(err));
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'fleet-enroll', version: '1', description: API_DESCRIPTION },
      tags: [
        { name: 'enrollment', description: 'devices in' },
        { name: 'status', description: 'where things stand' },
        { name: 'retry', description: 're-drive what failed (admin)' },
        { name: 'acks', description: 'device acks from an AWS IoT rule' },
        { name: 'operations', description: 'health, readiness, metrics (no token)' },
      ],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const routeDeps: RouteDeps = { config, services, metrics, ...(deps.destinations ? { destinations: deps.destinations } : {}) };
  operationRoutes(app, routeDeps);
  destinationConfirmationRoutes(app, { metrics, confirmer: deps.destinations });
  await consoleRoutes(app);

  const authenticator = new TokenAuthenticator(config.apiTokens);
  await app.register(async (scope) => {
    scope.addHook('onRequest', authHook(authenticator));
    enrollmentRoutes(scope, routeDeps);
    readRoutes(scope, routeDeps);
    retryRoutes(scope, routeDeps);
    ackRoutes(scope, routeDeps);
    if (deps.listings) listingRoutes(scope, routeDeps, withDeadlines(deps.listings, deps.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS));
  });

  return app;
}
