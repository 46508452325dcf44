/** Path parameter schemas: checked before any Redis lookup, so a malformed id is a 400 naming it. */
export const deviceIdParam = {
  type: 'object',
  required: ['deviceId'],
  properties: { deviceId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } },
} as const;

export const siteIdParam = {
  type: 'object',
  required: ['siteId'],
  properties: { siteId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' } },
} as const;

export const batchIdParam = {
  type: 'object',
  required: ['batchId'],
  properties: { batchId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,200}$' } },
} as const;
