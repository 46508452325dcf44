/** JSON schemas of the listings, the overview and the caller's session (src/api/routes/listings.ts). */
import { BATCH_STATES } from '../../domain/batch-state.js';
import { DEVICE_STATES } from '../../domain/device-state.js';
import { batchProperties, deviceView, siteView } from './schemas.js';

const nullableString = { type: ['string', 'null'] } as const;

const pageParams = {
  siteId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'one site; left out: every site the token may read' },
  limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: 'items per page, 1–1000 (default 100)' },
  cursor: { type: 'string', maxLength: 400, description: '`nextCursor` of the page before' },
} as const;

export const deviceListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...pageParams,
    state: { type: 'string', enum: [...DEVICE_STATES] },
    since: { type: 'string', maxLength: 40, description: 'ISO-8601: devices whose last change is at or after it' },
  },
} as const;

export const batchListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...pageParams, state: { type: 'string', enum: [...BATCH_STATES] } },
} as const;

const nextCursor = { ...nullableString, description: 'pass as `cursor` for the next page; null: the listing is done' } as const;

export const devicePage = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: deviceView }, nextCursor },
} as const;

export const batchSummary = {
  type: 'object',
  description: 'A batch in a listing. Holds the activation id, never the activation code.',
  properties: {
    ...batchProperties,
    registered: { type: 'integer' },
    left: { type: 'integer', description: 'devices neither registered nor gone elsewhere' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const batchPage = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: batchSummary }, nextCursor },
} as const;

export const overviewView = {
  type: 'object',
  properties: {
    generatedAt: { type: 'string', format: 'date-time' },
    windowMs: { type: 'integer', description: 'the window of `finishedInWindow`' },
    sites: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ...siteView.properties,
          expired: {
            type: 'object',
            description: 'records removed by retention so far (cumulative); `counts` are of the records still held',
            properties: { registered: { type: 'integer' }, failed: { type: 'integer' } },
          },
          finishedInWindow: { type: 'integer', description: 'devices that became registered or failed within the window' },
          batches: {
            type: 'object',
            description: 'live and failed batches per state',
            properties: Object.fromEntries(BATCH_STATES.map((s) => [s, { type: 'integer' }])),
          },
        },
      },
    },
    blocked: { type: 'array', items: batchSummary, description: 'batches waiting, with their reason' },
  },
} as const;

export const sessionView = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'the token’s label (never the token)' },
    role: { type: 'string', enum: ['line', 'admin'] },
    sites: { type: 'array', items: { type: 'string' }, description: 'the configured sites it may read' },
    tokensConfigured: { type: 'boolean', description: 'false: the API is open on loopback' },
  },
} as const;
