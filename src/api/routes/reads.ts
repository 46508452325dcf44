/**
 * Reads: devices, sites, batches. A line token sees its sites only. A device or batch of another site
 * answers 404 exactly like an unknown one (its existence is not revealed); a site outside the token's
 * sites answers 403 (site ids are configuration, not data).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import '../fastify-types.js';
import { ApiError } from '../api-error.js';
import { principalOf } from '../auth/auth-hook.js';
import { batchView, deviceView, errors, siteList, siteView } from '../openapi/schemas.js';
import type { RouteDeps } from './route-deps.js';
import { batchIdParam, deviceIdParam, siteIdParam } from './params.js';

export function readRoutes(app: FastifyInstance, { config, services }: RouteDeps): void {
  const configured = config.sites.sites;

  function checkSite(request: FastifyRequest, siteId: string): void {
    if (!principalOf(request).allowsSite(siteId)) throw ApiError.forbidden(`this token may not read site "${siteId}"`);
    if (!configured.has(siteId)) throw ApiError.notFound(`site "${siteId}"`);
  }

  app.get<{ Params: { deviceId: string } }>(
    '/v1/devices/:deviceId',
    {
      config: { access: 'line' },
      schema: {
        tags: ['status'],
        summary: 'One device: state, site, batch, activation id (never the code), timestamps, last error',
        security: [{ bearerAuth: [] }],
        params: deviceIdParam,
        response: { 200: { ...deviceView, description: 'the device' }, ...errors(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const { deviceId } = request.params;
      const view = await services.device(deviceId);
      if (view === null || !principalOf(request).allowsSite(view.siteId)) throw ApiError.notFound(`device "${deviceId}"`);
      return view;
    },
  );

  app.get(
    '/v1/sites',
    {
      config: { access: 'line' },
      schema: {
        tags: ['status'],
        summary: 'Every configured site the token may read, with its device counts',
        security: [{ bearerAuth: [] }],
        response: { 200: { ...siteList, description: 'the sites, by id' }, ...errors(401, 503) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const ids = [...configured.keys()].filter((id) => principal.allowsSite(id)).sort();
      const views = await Promise.all(ids.map((id) => services.site(id)));
      return { sites: views.filter((v) => v !== null) };
    },
  );

  app.get<{ Params: { siteId: string } }>(
    '/v1/sites/:siteId',
    {
      config: { access: 'line' },
      schema: {
        tags: ['status'],
        summary: 'One site: devices per state, devices buffered, when the buffer is cut next',
        security: [{ bearerAuth: [] }],
        params: siteIdParam,
        response: { 200: { ...siteView, description: 'the site' }, ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { siteId } = request.params;
      checkSite(request, siteId);
      const view = await services.site(siteId);
      if (view === null) throw ApiError.notFound(`site "${siteId}"`);
      return view;
    },
  );

  app.get<{ Params: { batchId: string } }>(
    '/v1/batches/:batchId',
    {
      config: { access: 'line' },
      schema: {
        tags: ['status'],
        summary: 'One batch: state, activation id (never the code), expiry, attempts, devices per state',
        security: [{ bearerAuth: [] }],
        params: batchIdParam,
        response: { 200: { ...batchView, description: 'the batch' }, ...errors(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const { batchId } = request.params;
      const view = await services.batch(batchId);
      if (view === null || !principalOf(request).allowsSite(view.siteId)) throw ApiError.notFound(`batch "${batchId}"`);
      return view;
    },
  );
}
