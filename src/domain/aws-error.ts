/**
 * Which AWS failures are worth retrying (docs/CONTRACT.md "Retry policy"), decided on the error's `name`
 * (AWS SDK v3 style), its Node `code` for network errors, and the HTTP status. Pure: adapters pass
 * in what the SDK threw; nothing here imports an SDK.
 */
import { AwsCallError } from './errors.js';

export type AwsErrorClass = 'throttled' | 'transient' | 'permanent';

export interface AwsErrorFacts {
  /** e.g. ThrottlingException, InvalidParameters, TimeoutError */
  readonly name?: string | undefined;
  /** HTTP status, when the service answered */
  readonly status?: number | undefined;
  /** Node system error code, e.g. ECONNRESET */
  readonly code?: string | undefined;
  readonly message?: string | undefined;
}

/** Throttling names used across AWS services (the SDK's own retry strategy knows the same list). */
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'SlowDown',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'TransactionInProgressException',
]);

const TRANSIENT = new Set([
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);

const PERMANENT = new Set([
  'InvalidParameters',
  'ValidationException',
  'ValidationError',
  'InvalidParameterException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'MissingAuthenticationToken',
  'SignatureDoesNotMatch',
  'InvalidActivation',
  'InvalidActivationId',
  'InvalidResourceId',
  'InvalidResourceType',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const NETWORK_MESSAGE = /socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|network/i;

export function classifyAwsError(facts: AwsErrorFacts): AwsErrorClass {
  // Stryker disable next-line StringLiteral: equivalent, any name on no list classifies as no name does
  const name = facts.name ?? '';
  if (THROTTLED.has(name) || facts.status === 429) return 'throttled';
  if (PERMANENT.has(name) || name.startsWith('AccessDenied') || name.startsWith('ExpiredToken')) return 'permanent';
  if (TRANSIENT.has(name)) return 'transient';
  if (facts.code !== undefined && NETWORK_CODES.has(facts.code)) return 'transient';
  if (facts.status !== undefined) {
    if (facts.status >= 500) return 'transient';
    if (facts.status >= 400) return 'permanent';
  }
  // Stryker disable next-line all: equivalent, the fallback below is transient too; the check names the case
  if (facts.message !== undefined && NETWORK_MESSAGE.test(facts.message)) return 'transient';
  // no answer from the service and nothing recognisable: most likely the network; attempts are bounded
  return 'transient';
}

const CODE_OF: Record<AwsErrorClass, 'AWS_THROTTLED' | 'AWS_TRANSIENT' | 'AWS_PERMANENT'> = {
  throttled: 'AWS_THROTTLED',
  transient: 'AWS_TRANSIENT',
  permanent: 'AWS_PERMANENT',
};

/**
 * Wraps whatever an AWS SDK v3 call threw into an AwsCallError. Reads `name`, `code`, `message`
 * and `$metadata.httpStatusCode` — the shapes SDK v3 service and network errors have.
 */
export function toAwsCallError(operation: string, err: unknown): AwsCallError {
  if (err instanceof AwsCallError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const facts: AwsErrorFacts = {
    name: typeof e.name === 'string' ? e.name : undefined,
    code: typeof e.code === 'string' ? e.code : undefined,
    message: typeof e.message === 'string' ? e.message : typeof err === 'string' ? err : undefined,
    status: typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined,
  };
  const name = facts.name && facts.name !== 'Error' ? facts.name : (facts.code ?? facts.name ?? 'Error');
  return new AwsCallError(CODE_OF[classifyAwsError(facts)], operation, name, facts.message ?? 'unknown error', facts.status, err);
}
