/**
 * An error the HTTP layer answers with as is: status, stable code, a message safe to show (it never
 * holds a token, an activation code or a stack) and, for bad input, the fields at fault.
 */
import type { FieldIssue } from '../domain/errors.js';

export type ApiErrorCode =
  | 'VALIDATION'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: readonly FieldIssue[],
  ) {
    super(message);
  }

  static validation(issues: readonly FieldIssue[], what = 'request'): ApiError {
    const list = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return new ApiError(400, 'VALIDATION', `invalid ${what}: ${list}`, issues);
  }

  static notFound(what: string): ApiError {
    return new ApiError(404, 'NOT_FOUND', `${what} not found`);
  }

  static forbidden(message: string): ApiError {
    return new ApiError(403, 'FORBIDDEN', message);
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
