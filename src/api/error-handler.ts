/**
 * One place that turns any error into `{"error":{"code","message"}}`: Fastify's parse / validation errors
 * become 400 / 413 / 415, domain errors their status, an unreachable Redis 503. Bad input never gets a 5xx;
 * an unexpected error gets a bare 500 (details only in the server log), never a stack or a secret.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { FleetError, ValidationError, type FieldIssue } from '../domain/errors.js';
import { ApiError, errorBody, type ApiErrorCode } from './api-error.js';

const ANSWERED_AS_IS: readonly ApiErrorCode[] = ['NOT_FOUND', 'UNAUTHORIZED', 'FORBIDDEN', 'CONFLICT', 'UNAVAILABLE'];
import { issuesFromSchemaErrors, type SchemaErrorLike } from './schema-issues.js';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const CONNECTION_MESSAGES = /Connection is closed|enableOfflineQueue|Stream isn't writeable|MaxRetriesPerRequest|Command timed out/i;

/** Redis (or another backing service) cannot be reached: worth a 503 + retry, not a 500. */
function isUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  if (err instanceof FleetError) return err.code === 'UNAVAILABLE' || err.code === 'AWS_TRANSIENT' || err.code === 'AWS_THROTTLED';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (err.name === 'MaxRetriesPerRequestError' || CONNECTION_MESSAGES.test(err.message)) return true;
  return isUnavailable(err.cause, depth + 1);
}

function fromFastify(err: FastifyError, bodyLimitBytes: number): ApiError | undefined {
  if (Array.isArray(err.validation)) {
    const where = err.validationContext === 'body' ? '' : `${err.validationContext ?? 'request'}.`;
    const issues: FieldIssue[] = issuesFromSchemaErrors(err.validation as SchemaErrorLike[], where);
    return ApiError.validation(issues, err.validationContext === 'body' ? 'body' : (err.validationContext ?? 'request'));
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('BAD_REQUEST', 'body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('BAD_REQUEST', 'body is empty but Content-Type is application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE', `body is larger than the limit of ${bodyLimitBytes} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'unsupported Content-Type: send application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('BAD_REQUEST', 'body size does not match Content-Length');
    default:
      break;
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    // Fastify's own client errors (bad URL, bad header …): their messages hold no secrets
    return new ApiError(err.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', err.message);
  }
  return undefined;
}

function toApiError(err: unknown, bodyLimitBytes: number): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof ValidationError) return ApiError.validation(err.issues, 'input');
  // these carry messages written for the caller; any other FleetError is the service's own trouble
  if (err instanceof FleetError && (ANSWERED_AS_IS as readonly string[]).includes(err.code)) return new ApiError(err.code as ApiErrorCode, err.message);
  if (isUnavailable(err)) {
    return new ApiError('UNAVAILABLE', 'the service cannot reach Redis right now; try again');
  }
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('FST_')) {
    return fromFastify(err as FastifyError, bodyLimitBytes);
  }
  if (err instanceof Error && Array.isArray((err as FastifyError).validation)) {
    return fromFastify(err as FastifyError, bodyLimitBytes);
  }
  return undefined;
}

export function errorHandler(bodyLimitBytes: number) {
  return function handle(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const known = toApiError(err, bodyLimitBytes);
    if (known) {
      if (known.statusCode >= 500) request.log.warn({ err: safeSummary(err) }, known.message);
      return reply.status(known.statusCode).send(errorBody(known));
    }
    request.log.error({ err: safeSummary(err) }, 'unexpected error while handling the request');
    const internal = new ApiError('INTERNAL', `internal error (request ${String(request.id)}; details in the server log)`);
    return reply.status(500).send(errorBody(internal));
  };
}

/** Name, code and message only: a stack trace or an attached request object stays out of the log line. */
function safeSummary(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { value: typeof err };
  return { name: err.name, code: (err as { code?: unknown }).code, message: err.message };
}
