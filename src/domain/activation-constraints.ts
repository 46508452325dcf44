/**
 * The CreateActivation limits of the SSM API reference (docs/CONTRACT.md), in one place, so the
 * request builder and the sites-file validation refuse exactly the same things.
 * Each check returns a human message, or undefined when the value is fine.
 */

export const IAM_ROLE_MAX_LENGTH = 64;
export const REGISTRATION_LIMIT_MIN = 1;
export const REGISTRATION_LIMIT_MAX = 1000;
/** "You can specify a date up to 30 days in advance." */
export const MAX_EXPIRATION_MS = 30 * 24 * 60 * 60 * 1000;
export const DEFAULT_INSTANCE_NAME_MAX_LENGTH = 256;
export const DESCRIPTION_MAX_LENGTH = 256;
export const MAX_TAGS = 1000;
export const TAG_KEY_MAX_LENGTH = 128;
export const TAG_VALUE_MAX_LENGTH = 256;

/** The tags fleet-enroll always sets itself; sites may not set them (nor anything else under `fleet:`). */
export const SITE_TAG_KEY = 'fleet:site';
export const BATCH_TAG_KEY = 'fleet:batch';
export const RESERVED_TAG_PREFIX = 'fleet:';

/** DefaultInstanceName and tag keys/values: letters, separators, numbers and `_.:/=+-@` (Unicode-aware). */
export const SSM_NAME_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
/** An IAM role name (IAM's own rule); an ARN contains `:` and `/` and so never matches. */
const IAM_ROLE_NAME_PATTERN = /^[\w+=,.@-]+$/;

/**
 * Length in UTF-16 code units (JavaScript's `length`). Where AWS counts code points this is stricter
 * (an astral character counts twice), so anything accepted here is accepted by AWS too.
 */
export function charLength(value: string): number {
  return value.length;
}

export function checkIamRole(value: string): string | undefined {
  if (value.length === 0) return 'is required (an IAM role name)';
  if (value.startsWith('arn:')) return 'must be an IAM role name, not an ARN (e.g. "SSMServiceRole")';
  if (charLength(value) > IAM_ROLE_MAX_LENGTH) return `must be at most ${IAM_ROLE_MAX_LENGTH} characters`;
  if (!IAM_ROLE_NAME_PATTERN.test(value)) return 'must be an IAM role name: letters, digits and +=,.@_-';
  return undefined;
}

export function checkRegistrationLimit(value: number): string | undefined {
  if (!Number.isInteger(value) || value < REGISTRATION_LIMIT_MIN || value > REGISTRATION_LIMIT_MAX) {
    return `must be an integer from ${REGISTRATION_LIMIT_MIN} to ${REGISTRATION_LIMIT_MAX}`;
  }
  return undefined;
}

export function checkExpiration(expiresAt: Date, now: Date): string | undefined {
  const t = expiresAt.getTime();
  if (Number.isNaN(t)) return 'must be a valid date';
  if (t <= now.getTime()) return 'must be in the future';
  if (t - now.getTime() > MAX_EXPIRATION_MS) return 'must be at most 30 days ahead';
  return undefined;
}

export function checkDefaultInstanceName(value: string): string | undefined {
  if (charLength(value) > DEFAULT_INSTANCE_NAME_MAX_LENGTH) {
    return `must be at most ${DEFAULT_INSTANCE_NAME_MAX_LENGTH} characters`;
  }
  if (!SSM_NAME_PATTERN.test(value)) return 'may contain only letters, digits, spaces and _.:/=+-@';
  return undefined;
}

export function checkDescription(value: string): string | undefined {
  return charLength(value) > DESCRIPTION_MAX_LENGTH ? `must be at most ${DESCRIPTION_MAX_LENGTH} characters` : undefined;
}

export function checkTagKey(key: string): string | undefined {
  const n = charLength(key);
  if (n < 1 || n > TAG_KEY_MAX_LENGTH) return `tag key must be 1 to ${TAG_KEY_MAX_LENGTH} characters`;
  if (key.toLowerCase().startsWith('aws:')) return 'tag keys starting with "aws:" are reserved by AWS';
  if (!SSM_NAME_PATTERN.test(key)) return 'tag key may contain only letters, digits, spaces and _.:/=+-@';
  return undefined;
}

export function checkTagValue(value: string): string | undefined {
  if (charLength(value) > TAG_VALUE_MAX_LENGTH) return `tag value must be at most ${TAG_VALUE_MAX_LENGTH} characters`;
  if (!SSM_NAME_PATTERN.test(value)) return 'tag value may contain only letters, digits, spaces and _.:/=+-@';
  return undefined;
}
