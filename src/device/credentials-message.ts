/**
 * Reads a credentials message off the wire (docs/CONTRACT.md "MQTT topics and payloads") into the domain type.
 * Errors name the field but never quote a value: one of them is the activation code.
 */
import { ValidationError, type FieldIssue } from '../domain/errors.js';
import { REGION_PATTERN } from '../domain/identifiers.js';
import type { CredentialsMessage } from '../domain/messages.js';

const STRING_FIELDS = [
  'deliveryId',
  'deviceId',
  'siteId',
  'batchId',
  'activationId',
  'activationCode',
  'region',
  'expiresAt',
] as const;

const ACTIVATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function parseCredentialsMessage(payload: Buffer | string): CredentialsMessage {
  let data: unknown;
  try {
    data = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    throw new ValidationError([{ path: '', message: 'not valid JSON' }], 'credentials message');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ValidationError([{ path: '', message: 'must be a JSON object' }], 'credentials message');
  }
  const record = data as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  if (record.v !== 1) issues.push({ path: 'v', message: 'must be 1' });
  for (const field of STRING_FIELDS) {
    const value = record[field];
    if (typeof value !== 'string' || value.length === 0) issues.push({ path: field, message: 'must be a non-empty string' });
  }
  if (issues.length === 0) {
    const activationId = record.activationId as string;
    const code = record.activationCode as string;
    if (!ACTIVATION_ID.test(activationId)) issues.push({ path: 'activationId', message: 'must be an SSM activation id' });
    if (code.length < 20 || code.length > 250 || /\s/.test(code)) {
      issues.push({ path: 'activationCode', message: 'must be 20-250 characters without whitespace' });
    }
    if (!REGION_PATTERN.test(record.region as string)) issues.push({ path: 'region', message: 'must be an AWS Region name' });
    if (Number.isNaN(Date.parse(record.expiresAt as string))) issues.push({ path: 'expiresAt', message: 'must be an ISO-8601 time' });
  }
  if (issues.length > 0) throw new ValidationError(issues, 'credentials message');
  return {
    v: 1,
    deliveryId: record.deliveryId as string,
    deviceId: record.deviceId as string,
    siteId: record.siteId as string,
    batchId: record.batchId as string,
    activationId: record.activationId as string,
    activationCode: record.activationCode as string,
    region: record.region as string,
    expiresAt: record.expiresAt as string,
  };
}
