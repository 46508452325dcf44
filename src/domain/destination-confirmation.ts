/**
 * The message AWS IoT posts to an HTTP action's confirmation URL before the rule may use it:
 * `{"arn","confirmationToken","enableUrl","messageType":"DestinationConfirmation"}`. Pure parsing: the
 * token is a secret that proves the URL is ours, so nothing here ever puts it in an error message.
 */
import type { FieldIssue } from './errors.js';
import { isJsonObject } from './json-shape.js';

export const DESTINATION_CONFIRMATION = 'DestinationConfirmation';
/** arn:aws:iot:us-east-1:123456789012:ruledestination/http/<uuid> (other partitions too) */
const DESTINATION_ARN = /^arn:aws[a-z-]*:iot:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):ruledestination\/http\/[0-9a-f-]{36}$/;
const TOKEN = /^[A-Za-z0-9_\-+/=.~]{1,2048}$/;

export interface DestinationConfirmation {
  readonly arn: string;
  /** secret: pass it to ConfirmTopicRuleDestination, never log it */
  readonly confirmationToken: string;
  readonly region: string;
  readonly accountId: string;
}

/** Does this body claim to be a destination confirmation (whether or not it is a valid one)? */
export function isDestinationConfirmation(body: unknown): boolean {
  return isJsonObject(body) && body['messageType'] === DESTINATION_CONFIRMATION;
}

export function parseDestinationConfirmation(body: unknown): { ok: DestinationConfirmation } | { issues: FieldIssue[] } {
  if (!isJsonObject(body)) return { issues: [{ path: '', message: 'must be a JSON object' }] };
  const issues: FieldIssue[] = [];
  if (body['messageType'] !== DESTINATION_CONFIRMATION) issues.push({ path: 'messageType', message: `must be "${DESTINATION_CONFIRMATION}"` });
  const arn = body['arn'];
  const match = typeof arn === 'string' ? DESTINATION_ARN.exec(arn) : null;
  if (match === null) issues.push({ path: 'arn', message: 'must be the ARN of an AWS IoT HTTP topic rule destination' });
  const token = body['confirmationToken'];
  if (typeof token !== 'string' || !TOKEN.test(token)) issues.push({ path: 'confirmationToken', message: 'must be a token of 1–2048 URL-safe characters' });
  const enableUrl = body['enableUrl'];
  if (enableUrl !== undefined && (typeof enableUrl !== 'string' || !/^https?:\/\//.test(enableUrl))) issues.push({ path: 'enableUrl', message: 'must be a URL' });
  for (const key of Object.keys(body)) {
    if (!['arn', 'confirmationToken', 'enableUrl', 'messageType'].includes(key)) issues.push({ path: key, message: 'unknown field' });
  }
  if (issues.length > 0 || match === null) return { issues };
  return { ok: { arn: arn as string, confirmationToken: token as string, region: match[1]!, accountId: match[2]! } };
}
