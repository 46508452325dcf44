/**
 * An error the HTTP layer answers with as is: status, stable code, a message safe to show (it never
 * holds a token, an activation code or a stack) and, for bad input, the fields at fault.
 */
import type { FieldIssue } from '../domain/errors.js';
import { ERROR_REGISTRY, type ErrorCode } from '../domain/error-registry.js';

/** the codes an answer may carry (the OpenAPI error schema lists these); each one's status is the registry's */
export const API_ERROR_CODES = [
  'VALIDATION',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'REQUEST_TIMEOUT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'HEADERS_TOO_LARGE',
  'UNAVAILABLE',
  'INTERNAL',
] as const satisfies readonly ErrorCode[];

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: readonly FieldIssue[],
  ) {
    super(message);
    this.statusCode = ERROR_REGISTRY[code].status;
  }

  static validation(issues: readonly FieldIssue[], what = 'request'): ApiError {
    const list = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return new ApiError('VALIDATION', `invalid ${what}: ${list}`, issues);
  }

  static notFound(what: string): ApiError {
    return new ApiError('NOT_FOUND', `${what} not found`);
  }

  static forbidden(message: string): ApiError {
    return new ApiError('FORBIDDEN', message);
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly issues?: readonly FieldIssue[] };
}

export function errorBody(err: ApiError): ErrorBody {
  return {
    error: err.issues ? { code: err.code, message: err.message, issues: err.issues } : { code: err.code, message: err.message },
  };
}
