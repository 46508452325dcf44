/**
 * The CreateActivation table of the SSM API reference, written again for the tests, independently of
 * src/domain/activation-constraints.ts: a test that reused the builder's own checks could not fail.
 */
import type { CreateActivationRequest } from '../../../src/domain/activation-request.js';

const DAY_MS = 86_400_000;
const NAME_CLASS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Names of the rules `request` breaks; empty when AWS would accept it. */
export function brokenRules(request: CreateActivationRequest, now: Date): string[] {
  const broken: string[] = [];
  const r = request;
  if (typeof r.IamRole !== 'string' || r.IamRole.length < 1 || r.IamRole.length > 64) broken.push('IamRole length');
  if (/^arn:/i.test(r.IamRole) || r.IamRole.includes('/')) broken.push('IamRole is an ARN');
  if (!Number.isInteger(r.RegistrationLimit) || r.RegistrationLimit < 1 || r.RegistrationLimit > 1000) broken.push('RegistrationLimit');
  const ahead = r.ExpirationDate.getTime() - now.getTime();
  if (!(ahead > 0)) broken.push('ExpirationDate in the past');
  if (!(ahead <= 30 * DAY_MS)) broken.push('ExpirationDate beyond 30 days');
  if (r.DefaultInstanceName.length > 256 || !NAME_CLASS.test(r.DefaultInstanceName)) broken.push('DefaultInstanceName');
  if (r.Description.length > 256) broken.push('Description');
  if (r.Tags.length > 1000) broken.push('Tags count');
  for (const t of r.Tags) {
    if (t.Key.length < 1 || t.Key.length > 128 || !NAME_CLASS.test(t.Key)) broken.push(`tag key ${t.Key}`);
    if (t.Key.slice(0, 4).toLowerCase() === 'aws:') broken.push(`aws: tag ${t.Key}`);
    if (t.Value.length > 256 || !NAME_CLASS.test(t.Value)) broken.push(`tag value of ${t.Key}`);
  }
  const keys = r.Tags.map((t) => t.Key);
  if (new Set(keys).size !== keys.length) broken.push('duplicate tag keys');
  if (keys.filter((k) => k === 'fleet:site').length !== 1) broken.push('fleet:site tag');
  if (keys.filter((k) => k === 'fleet:batch').length !== 1) broken.push('fleet:batch tag');
  return broken;
}
