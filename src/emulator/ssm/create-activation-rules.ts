/**
 * CreateActivation's request constraints, from the SSM API reference (docs/CONTRACT.md has the table),
 * written here independently of src/domain's request builder: the emulator is the referee that
 * catches the builder's mistakes, so it must not share them.
 */
import { AwsError, validationError } from '../aws-error.js';
import {
  checkLength,
  checkPattern,
  checkRange,
  optionalArray,
  optionalInteger,
  optionalString,
  requiredString,
  type JsonObject,
} from './json-members.js';
import { parseTags, type Tag } from './tags.js';

export interface ActivationRequest {
  readonly iamRole: string;
  readonly registrationLimit: number;
  /** epoch ms */
  readonly expiresAt: number;
  readonly defaultInstanceName: string;
  readonly description: string;
  readonly tags: readonly Tag[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const MAX_EXPIRATION_MS = 30 * DAY_MS;
export const DEFAULT_EXPIRATION_MS = DAY_MS;
const NAME_PATTERN_SOURCE = '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$';
const NAME_PATTERN = new RegExp(NAME_PATTERN_SOURCE, 'u');

export function parseCreateActivation(input: JsonObject, now: number): ActivationRequest {
  const iamRole = requiredString(input, 'IamRole');
  checkLength(iamRole, 'iamRole', 1, 64);
  if (iamRole.startsWith('arn:')) {
    // the API takes a role *name*; AWS looks the ARN up as a name and finds no such role
    throw new AwsError('ValidationException', `Nonexistent role or missing ssm service principal in trust policy: IamRole '${iamRole}' must be a role name, not an ARN`);
  }

  const registrationLimit = optionalInteger(input, 'RegistrationLimit') ?? 1;
  checkRange(registrationLimit, 'registrationLimit', 1, 1000);

  const expiresAt = parseExpiration(input['ExpirationDate'], now);

  const defaultInstanceName = optionalString(input, 'DefaultInstanceName') ?? '';
  checkLength(defaultInstanceName, 'defaultInstanceName', 0, 256);
  checkPattern(defaultInstanceName, 'defaultInstanceName', NAME_PATTERN, NAME_PATTERN_SOURCE);

  const description = optionalString(input, 'Description') ?? '';
  checkLength(description, 'description', 0, 256);

  const tags = parseTags(optionalArray(input, 'Tags') ?? [], 'tags', 1000);

  const metadata = optionalArray(input, 'RegistrationMetadata');
  if (metadata !== undefined) {
    // reserved for internal use; only its shape is checked
    metadata.forEach((item, i) => {
      if (typeof item !== 'object' || item === null) throw new AwsError('SerializationException', `'registrationMetadata.${i + 1}.member' must be an object`);
    });
  }

  return { iamRole, registrationLimit, expiresAt, defaultInstanceName, description, tags };
}

/** awsJson timestamps are epoch seconds (a number); the SDK always sends that form. */
function parseExpiration(value: unknown, now: number): number {
  if (value === undefined || value === null) return now + DEFAULT_EXPIRATION_MS;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AwsError('SerializationException', `'expirationDate' must be a timestamp in epoch seconds, got ${JSON.stringify(value)}`);
  }
  const expiresAt = Math.round(value * 1000);
  if (expiresAt <= now) {
    throw validationError('expirationDate', new Date(expiresAt).toISOString(), 'ExpirationDate must be in the future');
  }
  if (expiresAt > now + MAX_EXPIRATION_MS) {
    throw validationError('expirationDate', new Date(expiresAt).toISOString(), 'ExpirationDate must be no more than 30 days in the future');
  }
  return expiresAt;
}
