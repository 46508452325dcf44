/**
 * An error answered the way AWS answers it: an HTTP status, the error name (`__type` in JSON
 * protocols, `x-amzn-ErrorType` in REST JSON) and a message a person can act on.
 */
export class AwsError extends Error {
  readonly status: number;

  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

/** The message format of AWS's own request validation: names the member and the constraint broken. */
export function validationError(member: string, value: unknown, constraint: string): AwsError {
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value ${describeValue(value)} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // long values are cut: the message must stay readable and never echo a huge payload
  return `'${text.length > 80 ? text.slice(0, 80) + '…' : text}'`;
}

export const throttlingError = (): AwsError => new AwsError('ThrottlingException', 'Rate exceeded', 400);
export const internalServerError = (): AwsError =>
  new AwsError('InternalServerError', 'An internal error occurred. Try again later.', 500);
