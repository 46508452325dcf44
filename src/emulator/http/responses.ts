/** Writing answers in the two AWS wire protocols the emulator speaks (awsJson1_1, restJson1) and for its own routes. */
import type { ServerResponse } from 'node:http';
import type { AwsError } from '../aws-error.js';

export type Protocol = 'awsJson' | 'restJson' | 'emulator';

let requestCounter = 0;
const requestIdPrefix = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
// unique per emulator process, cheap: no crypto per request
const nextRequestId = (): string => `${requestIdPrefix}-0000-4000-8000-${(++requestCounter).toString(16).padStart(12, '0')}`;

const CONTENT_TYPE: Record<Protocol, string> = {
  awsJson: 'application/x-amz-json-1.1',
  restJson: 'application/json',
  emulator: 'application/json',
};

export function writeJson(res: ServerResponse, protocol: Protocol, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE[protocol],
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': nextRequestId(),
    ...extraHeaders,
  });
  res.end(text);
}

/** awsJson: `__type` + `message`; restJson: the `x-amzn-ErrorType` header too. */
export function writeError(res: ServerResponse, protocol: Protocol, error: AwsError): void {
  const headers: Record<string, string> = protocol === 'restJson' ? { 'x-amzn-errortype': error.name } : {};
  writeJson(res, protocol, error.status, { __type: error.name, message: error.message }, headers);
}
