/**
 * Every error code of the orchestrator, declared once: the HTTP status it is answered with and whether it
 * is permanent. `permanent` decides retries everywhere (a permanent error fails its batch at once; anything
 * else is retried with backoff). FleetError, the API's errors and its socket-level answers take both from
 * here. The device side (src/device/device-errors.ts) has codes of its own.
 */
export interface ErrorKind {
  /** the HTTP status an API answer with this code has */
  readonly status: number;
  readonly permanent: boolean;
}

export const ERROR_REGISTRY = {
  // bad input: the caller must change something
  VALIDATION: { status: 400, permanent: true },
  BAD_REQUEST: { status: 400, permanent: true },
  UNAUTHORIZED: { status: 401, permanent: true },
  FORBIDDEN: { status: 403, permanent: true },
  NOT_FOUND: { status: 404, permanent: true },
  CONFLICT: { status: 409, permanent: true },
  PAYLOAD_TOO_LARGE: { status: 413, permanent: true },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, permanent: true },
  HEADERS_TOO_LARGE: { status: 431, permanent: true },
  // the request did not arrive in time: sending it again may work
  REQUEST_TIMEOUT: { status: 408, permanent: false },
  // a backing service (Redis, AWS) cannot be reached or throttles: try again
  UNAVAILABLE: { status: 503, permanent: false },
  AWS_THROTTLED: { status: 503, permanent: false },
  AWS_TRANSIENT: { status: 503, permanent: false },
  // AWS refused the call as asked: retrying the same call cannot help
  AWS_PERMANENT: { status: 502, permanent: true },
  // the service's own setup is wrong: no request can fix it
  CONFIG_INVALID: { status: 500, permanent: true },
  ACTIVATION_REQUEST_INVALID: { status: 500, permanent: true },
  SECRET: { status: 500, permanent: true },
  INTERNAL: { status: 500, permanent: false },
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_REGISTRY;

export function errorKind(code: ErrorCode): ErrorKind {
  return ERROR_REGISTRY[code];
}

/** An error with a stable code whose permanence its registry declares (the orchestrator's, or the device's). */
export abstract class CodedError<Code extends string> extends Error {
  readonly code: Code;
  readonly permanent: boolean;

  protected constructor(code: Code, permanent: boolean, message: string, cause: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.permanent = permanent;
  }
}
