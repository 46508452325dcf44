/**
 * Listings and the console's reads: `GET /v1/devices`, `GET /v1/batches` (cursor-paginated, each item once
 * while the pipeline moves), `GET /v1/overview` and `GET /v1/me`. A line token lists its sites only: a
 * siteId outside them is a 403, like `GET /v1/sites/{siteId}`; without siteId it gets its sites.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import '../fastify-types.js';
import type { BatchState } from '../../domain/batch-state.js';
import type { DeviceState } from '../../domain/device-state.js';
import { ApiError } from '../api-error.js';
import { principalOf } from '../auth/auth-hook.js';
import type { ListingServices, ListQuery } from '../services.js';
import { errors } from '../openapi/schemas.js';
import { batchListQuery, batchPage, devicePage, deviceListQuery, overviewView, sessionView } from '../openapi/listing-schemas.js';
import type { RouteDeps } from './route-deps.js';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1_000;

interface ListQueryString {
  siteId?: string;
  state?: string;
  limit?: string;
  cursor?: string;
  since?: string;
}

export function listingRoutes(app: FastifyInstance, { config }: RouteDeps, listings: ListingServices): void {
  const configured = config.sites.sites;

  /** the sites a request lists: the one asked for (checked like the site reads), else every readable one */
  function sitesOf(request: FastifyRequest, siteId: string | undefined): string[] {
    const principal = principalOf(request);
    if (siteId !== undefined) {
      if (!principal.allowsSite(siteId)) throw ApiError.forbidden(`this token may not read site "${siteId}"`);
      if (!configured.has(siteId)) throw ApiError.notFound(`site "${siteId}"`);
      return [siteId];
    }
    return [...configured.keys()].filter((id) => principal.allowsSite(id)).sort();
  }

  function query<S extends string>(request: FastifyRequest<{ Querystring: ListQueryString }>): ListQuery<S> {
    const q = request.query;
    const limit = q.limit === undefined ? DEFAULT_PAGE_LIMIT : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
      throw ApiError.validation([{ path: 'querystring.limit', message: `must be a whole number from 1 to ${MAX_PAGE_LIMIT}` }], 'querystring');
    }
    let since: number | undefined;
    if (q.since !== undefined) {
      since = Date.parse(q.since);
      if (Number.isNaN(since)) throw ApiError.validation([{ path: 'querystring.since', message: 'must be an ISO-8601 date-time' }], 'querystring');
    }
    return {
      siteIds: sitesOf(request, q.siteId),
      limit,
      ...(q.state !== undefined ? { state: q.state as S } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
    };
  }

  app.get<{ Querystring: ListQueryString }>(
    '/v1/devices',
    {
      config: { access: 'line' },
      schema: {
        tags: ['status'],
        summary: 'Devices of a site (or of every site the token may read), page by page',
        description:
          'Devices in enrollment order; pass `nextCursor` back as `cursor` until it is null. Each device is listed once ' +
          'while the pipeline moves (a device enrolled meanwhile comes at the end). `state` and `since` filter on read, ' +
          'so a page may hold fewer than `limit` items (even none) and still have a `nextCursor`.',
        security: [{ bearerAuth: [] }],
        querystring: deviceListQuery,
        response: { 200: { ...devicePage, description: 'one page' }, ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (request) => listings.devices(query<DeviceState>(request)),
  );

  app.get<{ Querystring: ListQueryString }>(
    '/v1/batches',
    {
      config: { access: 'line' },
      schema: {
        tags: ['status'],
        summary: 'Batches of a site (or of every site the token may read), page by page',
        description: 'Batches in the order they were cut; `nextCursor` as for `GET /v1/devices`.',
        security: [{ bearerAuth: [] }],
        querystring: batchListQuery,
        response: { 200: { ...batchPage, description: 'one page' }, ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (request) => listings.batches(query<BatchState>(request)),
  );

  app.get<{ Querystring: { siteId?: string } }>(
    '/v1/overview',
    {
      config: { access: 'line' },
      schema: {
        tags: ['status'],
        summary: 'The fleet at a glance: every readable site with its counts, pace and blocked batches',
        security: [{ bearerAuth: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: { siteId: deviceListQuery.properties.siteId } },
        response: { 200: { ...overviewView, description: 'the overview' }, ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (request) => listings.overview(sitesOf(request, request.query.siteId)),
  );

  app.get(
    '/v1/me',
    {
      config: { access: 'line' },
      schema: {
        tags: ['status'],
        summary: 'The caller: its token label, role and the sites it may read',
        security: [{ bearerAuth: [] }],
        response: { 200: { ...sessionView, description: 'the caller' }, ...errors(401) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return { name: principal.name, role: principal.role, sites: sitesOf(request, undefined), tokensConfigured: config.apiTokens.length > 0 };
    },
  );
}
