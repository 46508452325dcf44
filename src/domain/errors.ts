/**
 * Typed errors. `code` is stable for programs, `permanent` decides retries:
 * a permanent error fails its batch at once, anything else is retried with backoff.
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'CONFIG_INVALID'
  | 'ACTIVATION_REQUEST_INVALID'
  | 'AWS_THROTTLED'
  | 'AWS_TRANSIENT'
  | 'AWS_PERMANENT'
  | 'QUOTA_EXHAUSTED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'UNAVAILABLE'
  | 'SECRET';

export interface FieldIssue {
  /** JSON path of the offending field, e.g. `sites[1].iamRole` or `events[3].deviceId`. */
  path: string;
  message: string;
}

export class FleetError extends Error {
  readonly code: ErrorCode;
  readonly permanent: boolean;

  constructor(code: ErrorCode, message: string, options: { permanent: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.permanent = options.permanent;
  }
}

/** Bad input: never retried; `issues` names every field that is wrong. */
export class ValidationError extends FleetError {
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], what = 'input', code: ErrorCode = 'VALIDATION') {
    super(code, `invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, {
      permanent: true,
    });
    this.issues = issues;
  }
}

export class ConfigError extends ValidationError {
  constructor(issues: readonly FieldIssue[], what = 'configuration') {
    super(issues, what, 'CONFIG_INVALID');
  }
}

/** A CreateActivation request that AWS would refuse; caught before the call. */
export class ActivationRequestError extends ValidationError {
  constructor(issues: readonly FieldIssue[]) {
    super(issues, 'CreateActivation request', 'ACTIVATION_REQUEST_INVALID');
  }
}

/** An AWS call failed. `awsName` is the service's error name (e.g. ThrottlingException). */
export class AwsCallError extends FleetError {
  readonly operation: string;
  readonly awsName: string;
  readonly status: number | undefined;

  constructor(
    code: 'AWS_THROTTLED' | 'AWS_TRANSIENT' | 'AWS_PERMANENT',
    operation: string,
    awsName: string,
    message: string,
    status: number | undefined,
    cause?: unknown,
  ) {
    super(code, `${operation} failed: ${awsName}: ${message}`, { permanent: code === 'AWS_PERMANENT', cause });
    this.operation = operation;
    this.awsName = awsName;
    this.status = status;
  }

  get throttled(): boolean {
    return this.code === 'AWS_THROTTLED';
  }
}

/** A state change the device or batch state machine does not allow (e.g. `registered → batched`). */
export class InvalidTransitionError extends FleetError {
  readonly subject: string;
  readonly from: string;
  readonly to: string;

  constructor(subject: string, from: string, to: string) {
    super('CONFLICT', `${subject} cannot go from ${from} to ${to}`, { permanent: true });
    this.subject = subject;
    this.from = from;
    this.to = to;
  }
}
