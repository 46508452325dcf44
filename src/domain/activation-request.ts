/**
 * The CreateActivation request, in our own shape (same field names as the SSM API) so the
 * domain needs no SDK. `buildCreateActivationRequest` enforces every row of the contract's
 * CreateActivation table: a request it returns is one AWS accepts.
 */
import {
  BATCH_TAG_KEY,
  RESERVED_TAG_PREFIX,
  SITE_TAG_KEY,
  MAX_TAGS,
  checkDefaultInstanceName,
  checkDescription,
  checkExpiration,
  checkIamRole,
  checkRegistrationLimit,
  checkTagKey,
  checkTagValue,
} from './activation-constraints.js';
import { ActivationRequestError, type FieldIssue } from './errors.js';
import type { Site } from './site.js';

export interface CreateActivationRequest {
  readonly IamRole: string;
  readonly RegistrationLimit: number;
  readonly ExpirationDate: Date;
  readonly DefaultInstanceName: string;
  readonly Description: string;
  readonly Tags: readonly { readonly Key: string; readonly Value: string }[];
}

/** DefaultInstanceName carries the batch id, so a lost attempt's activation can be found again. */
export function defaultInstanceNameFor(batchId: string): string {
  return `fleet-${batchId}`;
}

export interface ActivationRequestInput {
  readonly batchId: string;
  readonly siteId: string;
  /** devices in the batch: becomes RegistrationLimit */
  readonly size: number;
  readonly site: Site;
  readonly now: Date;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * Builds the request for one batch. Expiry = now + the site's activation TTL.
 * Throws ActivationRequestError listing every rule the request would break.
 */
export function buildCreateActivationRequest(input: ActivationRequestInput): CreateActivationRequest {
  const { batchId, siteId, size, site, now } = input;
  const issues: FieldIssue[] = [];
  const fail = (path: string, message: string | undefined): void => {
    if (message !== undefined) issues.push({ path, message });
  };

  if (site.id !== siteId) fail('siteId', `does not match the site given ("${site.id}")`);
  if (batchId.length === 0) fail('batchId', 'is required');

  const request: CreateActivationRequest = {
    IamRole: site.iamRole,
    RegistrationLimit: size,
    ExpirationDate: new Date(now.getTime() + site.activationTtlHours * HOUR_MS),
    DefaultInstanceName: defaultInstanceNameFor(batchId),
    Description: `fleet-enroll batch of ${size} for site ${siteId}`,
    Tags: [
      { Key: SITE_TAG_KEY, Value: siteId },
      { Key: BATCH_TAG_KEY, Value: batchId },
      ...Object.entries(site.tags).map(([Key, Value]) => ({ Key, Value })),
    ],
  };

  fail('IamRole', checkIamRole(request.IamRole));
  fail('RegistrationLimit', checkRegistrationLimit(request.RegistrationLimit));
  fail('ExpirationDate', checkExpiration(request.ExpirationDate, now));
  fail('DefaultInstanceName', checkDefaultInstanceName(request.DefaultInstanceName));
  fail('Description', checkDescription(request.Description));
  if (request.Tags.length > MAX_TAGS) fail('Tags', `at most ${MAX_TAGS} tags (got ${request.Tags.length})`);
  request.Tags.forEach((tag, i) => {
    // the first two are ours; a site may not set anything under `fleet:` (they would be overridden or duplicated)
    if (i >= 2 && tag.Key.startsWith(RESERVED_TAG_PREFIX)) {
      fail(`Tags[${i}].Key`, `"${RESERVED_TAG_PREFIX}" keys are set by fleet-enroll`);
    }
    fail(`Tags[${i}].Key`, checkTagKey(tag.Key));
    fail(`Tags[${i}].Value`, checkTagValue(tag.Value));
  });

  if (issues.length > 0) throw new ActivationRequestError(issues);
  return request;
}
