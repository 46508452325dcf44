/**
 * JSON schemas of the API's bodies and answers. They document every route in the OpenAPI document and
 * shape serialisation (fast-json-stringify writes only the declared fields, so a view can never carry an
 * extra field such as an activation code). The enrollment body is documented but not validated by Fastify:
 * the domain parser checks each event once, with per-index paths.
 */
import { BATCH_STATES } from '../../domain/batch-state.js';
import { DEVICE_STATES } from '../../domain/device-state.js';
import { ACK_ERROR_MAX_LENGTH } from '../../domain/messages.js';
import { API_ERROR_CODES } from '../api-error.js';

const nullableString = { type: ['string', 'null'] } as const;
const isoOrNull = { type: ['string', 'null'], format: 'date-time' } as const;

const stateCounts = {
  type: 'object',
  description: 'devices per state',
  properties: Object.fromEntries(DEVICE_STATES.map((s) => [s, { type: 'integer', minimum: 0 }])),
} as const;

export const fieldIssue = {
  type: 'object',
  required: ['path', 'message'],
  properties: {
    path: { type: 'string', description: 'JSON path of the field at fault, e.g. `events[3].deviceId`' },
    message: { type: 'string' },
  },
} as const;

export const errorBody = {
  type: 'object',
  description: 'Every error answer. Never holds a token, an activation code or a stack trace.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          enum: API_ERROR_CODES,
        },
        message: { type: 'string' },
        issues: { type: 'array', items: fieldIssue, description: 'present for VALIDATION: every field at fault' },
      },
    },
  },
} as const;

export const onboardingEvent = {
  type: 'object',
  required: ['deviceId', 'siteId'],
  additionalProperties: false,
  properties: {
    deviceId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' },
    siteId: { type: 'string', description: 'a site of the sites file (and of the token’s sites)' },
    thingName: { type: 'string', pattern: '^[a-zA-Z0-9:_-]{1,128}$', description: 'AWS IoT thing name; defaults to deviceId' },
    attributes: { type: 'object', additionalProperties: { type: 'string', maxLength: 800 }, maxProperties: 50 },
    reenroll: { type: 'boolean', default: false, description: 'enroll again although the device is in flight' },
  },
} as const;

export const enrollmentBody = {
  description:
    'One onboarding event, or `{"events":[…]}` with 1 to 10,000 events. Each event is validated on its own: ' +
    'an invalid event is listed in `rejected` and never stops its valid neighbours.',
  oneOf: [
    onboardingEvent,
    {
      type: 'object',
      required: ['events'],
      additionalProperties: false,
      properties: { events: { type: 'array', minItems: 1, maxItems: 10_000, items: onboardingEvent } },
    },
  ],
} as const;

export const enrollmentResult = {
  type: 'object',
  required: ['accepted', 'duplicates', 'rejected'],
  properties: {
    accepted: { type: 'integer', description: 'events queued for enrollment' },
    duplicates: { type: 'integer', description: 'devices already in flight (counted, not queued twice)' },
    rejected: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'errors'],
        properties: {
          index: { type: 'integer', description: 'position in `events` (0 for a single event)' },
          deviceId: { type: 'string', description: 'when the event named a valid one' },
          errors: { type: 'array', items: fieldIssue },
        },
      },
    },
  },
} as const;

export const deviceView = {
  type: 'object',
  description: 'A device. Holds the activation id, never the activation code.',
  properties: {
    deviceId: { type: 'string' },
    siteId: { type: 'string' },
    thingName: { type: 'string' },
    state: { type: 'string', enum: [...DEVICE_STATES] },
    batchId: nullableString,
    activationId: nullableString,
    managedNodeId: nullableString,
    rebatches: { type: 'integer', description: 'times re-batched after its activation expired' },
    timestamps: {
      type: 'object',
      description: 'ISO-8601 time each state was reached',
      properties: Object.fromEntries(DEVICE_STATES.map((s) => [s, { type: 'string', format: 'date-time' }])),
    },
    updatedAt: isoOrNull,
    error: { ...nullableString, description: 'why it failed, when it did' },
    history: {
      type: 'array',
      description: 'records re-enrollments (and moves between sites) replaced, newest first, at most 10',
      items: {
        type: 'object',
        properties: {
          siteId: { type: 'string' },
          state: { type: 'string', enum: [...DEVICE_STATES] },
          thingName: nullableString,
          batchId: nullableString,
          activationId: nullableString,
          managedNodeId: nullableString,
          error: nullableString,
          timestamps: {
            type: 'object',
            properties: Object.fromEntries(DEVICE_STATES.map((s) => [s, { type: 'string', format: 'date-time' }])),
          },
          replacedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    tagState: {
      type: ['string', 'null'],
      enum: ['pending', 'tagged', 'refused', null],
      description: "its managed node's device tags (fleet:device, fleet:site): pending until the tag role tagged it; null when tagging is off (FLEET_NODE_TAGS=none) or the device is not registered",
    },
    taggedAt: { ...isoOrNull, description: 'when its managed node was tagged' },
  },
} as const;

export const siteView = {
  type: 'object',
  properties: {
    siteId: { type: 'string' },
    counts: stateCounts,
    buffered: { type: 'integer', description: 'devices waiting in the site buffer for a batch' },
    nextCutAt: { ...isoOrNull, description: 'when the buffer will be cut into a batch; null when nothing waits' },
    nodeQuota: {
      type: 'object',
      description: 'the managed-node quota of the site’s Region and where it comes from',
      properties: {
        region: { type: 'string' },
        source: { type: 'string', enum: ['sites-file', 'account'], description: '`sites-file`: a configured nodeQuota; `account`: read from the Region’s activation tier and managed nodes' },
        tier: { type: ['string', 'null'], description: 'the account’s activation tier (standard, advanced); null for a configured quota' },
        quota: { type: ['integer', 'null'], description: 'managed nodes the Region takes in all; null = unlimited' },
        accountNodes: { type: ['integer', 'null'], description: 'managed nodes in the Region at the last reading (standard tier)' },
        room: { type: ['integer', 'null'], description: 'room left for new batches at the last reading; null = unlimited' },
        readAt: isoOrNull,
        error: { ...nullableString, description: 'why the last reading of the account failed (the one before is still used)' },
      },
    },
    tagBacklog: { type: 'integer', description: 'registered devices whose managed node waits for its device tags (tag role)' },
  },
} as const;

export const siteList = {
  type: 'object',
  properties: { sites: { type: 'array', items: siteView } },
} as const;

/** The properties every answer about a batch has (its view and its listing summary). */
export const batchProperties = {
  batchId: { type: 'string' },
  siteId: { type: 'string' },
  region: { type: 'string' },
  state: { type: 'string', enum: [...BATCH_STATES] },
  blockedReason: { ...nullableString, description: 'e.g. "quota" while blocked' },
  size: { type: 'integer' },
  activationId: nullableString,
  expiresAt: isoOrNull,
  attempts: { type: 'integer', description: 'CreateActivation attempts made' },
  error: nullableString,
  createdAt: { type: 'string', format: 'date-time' },
} as const;

export const batchView = {
  type: 'object',
  description: 'A batch and its activation. Holds the activation id, never the activation code.',
  properties: {
    ...batchProperties,
    strays: { type: 'integer', description: 'registrations claimed by no device of the batch' },
    counts: stateCounts,
  },
} as const;

export const retryResult = {
  type: 'object',
  required: ['batches', 'devices'],
  properties: {
    batches: { type: 'integer', description: 'batches re-driven' },
    devices: { type: 'integer', description: 'devices put back in flight' },
  },
} as const;

export const ackBody = {
  type: 'object',
  description:
    'A device ack (docs/CONTRACT.md), as forwarded by an AWS IoT rule HTTPS action. The rule may add the topic ' +
    '(`"topic": "fleet/enroll/<site>/<thing>/ack"`) or `siteId` + `thingName`; other fields are ignored.',
  required: ['v', 'deliveryId', 'activationId', 'status'],
  properties: {
    v: { const: 1 },
    deliveryId: { type: 'string', minLength: 1, maxLength: 256 },
    activationId: { type: 'string', minLength: 1, maxLength: 64 },
    status: { type: 'string', enum: ['registered', 'failed'] },
    managedNodeId: { type: 'string', pattern: '^mi-[0-9a-f]{17}$', description: 'required when status is registered' },
    error: { type: 'string', maxLength: ACK_ERROR_MAX_LENGTH },
    topic: { type: 'string', minLength: 1, maxLength: 512 },
    siteId: { type: 'string', minLength: 1, maxLength: 64 },
    thingName: { type: 'string', minLength: 1, maxLength: 128 },
  },
  if: { properties: { status: { const: 'registered' } }, required: ['status'] },
  then: { required: ['managedNodeId'] },
} as const;

export const ackResult = {
  type: 'object',
  required: ['result'],
  properties: {
    result: {
      type: 'string',
      enum: ['accepted', 'stale'],
      description: '`stale`: the ack does not match the device’s current delivery; ignored and counted',
    },
  },
} as const;

export const readiness = {
  type: 'object',
  properties: {
    ready: { type: 'boolean' },
    redis: { type: 'boolean' },
    aws: { type: 'boolean' },
    detail: { type: 'string' },
  },
} as const;

/** Standard error answers, by status, for a route's `response` schema. */
export function errors(...statuses: number[]): Record<number, unknown> {
  return Object.fromEntries(statuses.map((s) => [s, { ...errorBody, description: ERROR_MEANING[s] ?? 'error' }]));
}

const ERROR_MEANING: Record<number, string> = {
  400: 'bad input: the message (and `issues`) names each field at fault',
  401: 'no token, or not a known token',
  403: 'the token’s role or sites do not cover this',
  404: 'not found (also for a device or batch of a site outside the token’s sites: existence is not revealed)',
  413: 'body larger than the configured limit',
  415: 'Content-Type is not application/json',
  503: 'Redis or AWS is not reachable; nothing was changed, try again',
};
