/**
 * A SigV4 query-string presigned URL for AWS IoT's MQTT over WebSocket (`GET /mqtt`, signing name
 * `iotdevicegateway`, the host header the one signed): byte for byte what `@smithy/signature-v4`'s `presign()`
 * gives for the same inputs (test/unit/adapters/sigv4-presigned-url.test.ts). The session token is appended
 * after signing and is not part of the canonical query: AWS IoT's own rule for WebSocket connections, unlike
 * the other services'. One URL per connection, so nothing is cached here: it is made a few times an hour.
 */
import { createHmac, hash } from 'node:crypto';
import type { AwsCredentialIdentity } from '@smithy/types';
import { escapeRfc3986 } from './sigv4-request-signer.js';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface PresignInput {
  /** `wss://host[:port]/path` (or `ws://`): the URL's host as sent is what gets signed */
  readonly url: URL;
  readonly service: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity;
  readonly expiresInSeconds: number;
  readonly now: number;
}

/** the presigned URL, session token appended last when the credentials carry one */
export function presignedUrl(input: PresignInput): string {
  const { url, credentials } = input;
  if (typeof credentials?.accessKeyId !== 'string' || typeof credentials.secretAccessKey !== 'string') {
    throw new Error('Resolved credential object is not valid');
  }
  const iso = new Date(Math.floor(input.now / 1_000) * 1_000).toISOString();
  const longDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const shortDate = longDate.slice(0, 8);
  const scope = `${shortDate}/${input.region}/${input.service}/aws4_request`;
  // already in sorted order: Algorithm < Credential < Date < Expires < SignedHeaders
  const head = `X-Amz-Algorithm=${ALGORITHM}&X-Amz-Credential=${escapeRfc3986(`${credentials.accessKeyId}/${scope}`)}&X-Amz-Date=${longDate}&X-Amz-Expires=${input.expiresInSeconds}`;
  const query = `${head}&X-Amz-SignedHeaders=host`;
  const path = url.pathname;
  const canonicalRequest = `GET\n${path}\n${query}\nhost:${url.host}\n\nhost\n${EMPTY_SHA256}`;
  const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${hash('sha256', canonicalRequest, 'hex')}`;
  let key: Buffer = createHmac('sha256', `AWS4${credentials.secretAccessKey}`).update(shortDate).digest();
  for (const part of [input.region, input.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  // sent as the SDK sends a presigned request (its query builder sorts the keys): Signature < SignedHeaders
  const signed = `${url.protocol}//${url.host}${path}?${head}&X-Amz-Signature=${signature}&X-Amz-SignedHeaders=host`;
  return credentials.sessionToken ? `${signed}&X-Amz-Security-Token=${escapeRfc3986(credentials.sessionToken)}` : signed;
}
