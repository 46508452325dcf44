/**
 * Typed errors. `code` is stable for programs; whether it is permanent (which decides retries) comes with
 * the code from the one registry, src/domain/error-registry.ts.
 */
import { CodedError, errorKind, type ErrorCode } from './error-registry.js';

export type { ErrorCode } from './error-registry.js';

export interface FieldIssue {
  /** JSON path of the offending field, e.g. `sites[1].iamRole` or `events[3].deviceId`. */
  path: string;
  message: string;
}

export class FleetError extends CodedError<ErrorCode> {
  constructor(code: ErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, errorKind(code).permanent, message, options.cause);
  }
}

/** Bad input: never retried; `issues` names every field that is wrong. */
export class ValidationError extends FleetError {
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], what = 'input', code: ErrorCode = 'VALIDATION') {
    super(code, `invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
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
    super(code, `${operation} failed: ${awsName}: ${message}`, { cause });
    this.operation = operation;
    this.awsName = awsName;
    this.status = status;
  }

  get throttled(): boolean {
    return this.code === 'AWS_THROTTLED';
  }
}

export class NotFoundError extends FleetError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

/** A state change the device or batch state machine does not allow (e.g. `registered → batched`). */
export class InvalidTransitionError extends FleetError {
  readonly subject: string;
  readonly from: string;
  readonly to: string;

  constructor(subject: string, from: string, to: string) {
    super('CONFLICT', `${subject} cannot go from ${from} to ${to}`);
    this.subject = subject;
    this.from = from;
    this.to = to;
  }
}
