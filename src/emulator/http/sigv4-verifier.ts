/**
 * Verifies AWS Signature Version 4 on an incoming request, the way the AWS front door does:
 * recomputes the signature from the request as received and compares. Written from the SigV4
 * specification (and the canonicalisation of the SDK's signer: path segments normalised and
 * URI-encoded once more, query sorted, payload hashed), with node:crypto only, because this
 * runs on every request and must stay cheap: signing keys are cached per day/Region/service.
 * It shares no code with the orchestrator's signer (src/adapters/sigv4-request-signer.ts) on purpose:
 * an independent referee, so a canonicalisation mistake in one is caught by the other.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from '../aws-error.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface SignedRequest {
  readonly method: string;
  /** the request target as received: path and raw query string */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What a valid signature tells about the caller. */
export interface SignatureScope {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const AUTH_PATTERN = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

export class SigV4Verifier {
  private readonly secrets: ReadonlyMap<string, string>;
  private readonly signingKeys = new Map<string, Buffer>();

  constructor(credentials: readonly Credentials[], private readonly now: () => number = Date.now) {
    this.secrets = new Map(credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  }

  /** Returns the caller's scope, or throws the AwsError AWS would answer with. */
  verify(request: SignedRequest): SignatureScope {
    const authorization = request.headers.authorization;
    if (authorization === undefined) {
      throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
    }
    const match = AUTH_PATTERN.exec(authorization);
    if (!match) {
      throw new AwsError(
        'IncompleteSignatureException',
        `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters of algorithm ${ALGORITHM}.`,
        403,
      );
    }
    const [, accessKeyId, day, region, service, signedHeaderList, signature] = match as unknown as string[] as [
      string, string, string, string, string, string, string,
    ];
    const secret = this.secrets.get(accessKeyId);
    if (secret === undefined) {
      throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
    }
    const amzDate = headerValue(request.headers, 'x-amz-date');
    if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day) {
      throw new AwsError('IncompleteSignatureException', 'X-Amz-Date is missing or does not match the credential scope date.', 403);
    }
    const signedAt = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
    if (Math.abs(this.now() - signedAt) > MAX_SKEW_MS) {
      throw new AwsError('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier or later than the server time by more than 15 minutes.`, 403);
    }

    const signedHeaders = signedHeaderList.split(';');
    const canonicalRequest = [
      request.method,
      canonicalPath(request.url),
      canonicalQuery(request.url),
      signedHeaders.map((name) => `${name}:${(headerValue(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join(''),
      signedHeaderList,
      createHash('sha256').update(request.body).digest('hex'),
    ].join('\n');
    const scope = `${day}/${region}/${service}/aws4_request`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const expected = createHmac('sha256', this.signingKey(accessKeyId, secret, day, region, service)).update(stringToSign).digest();
    if (!signedHeaders.includes('host') || !timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw new AwsError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        403,
      );
    }
    return { accessKeyId, region, service };
  }

  private signingKey(accessKeyId: string, secret: string, day: string, region: string, service: string): Buffer {
    const cacheKey = `${accessKeyId}/${day}/${region}/${service}`;
    let key = this.signingKeys.get(cacheKey);
    if (key === undefined) {
      const kDate = createHmac('sha256', `AWS4${secret}`).update(day).digest();
      const kRegion = createHmac('sha256', kDate).update(region).digest();
      const kService = createHmac('sha256', kRegion).update(service).digest();
      key = createHmac('sha256', kService).update('aws4_request').digest();
      if (this.signingKeys.size > 1000) this.signingKeys.clear(); // days roll over; keep the cache bounded
      this.signingKeys.set(cacheKey, key);
    }
    return key;
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** RFC 3986 encoding as AWS wants it: encodeURIComponent plus the four characters it leaves alone. */
export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Segments normalised, then the already-encoded path encoded once more (all services but S3). */
function canonicalPath(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) return '';
  const pairs: string[] = [];
  for (const part of url.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : safeDecode(part.slice(eq + 1));
    if (key.toLowerCase() === 'x-amz-signature') continue;
    pairs.push(`${escapeUri(key)}=${escapeUri(value)}`);
  }
  return pairs.sort().join('&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
