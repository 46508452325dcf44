/**
 * Verifies AWS Signature Version 4 on an incoming request, the way the AWS front door does:
 * recomputes the signature from the request as received and compares. Written from the SigV4
 * specification (and the canonicalisation of the SDK's signer: path segments normalised and
 * URI-encoded once more, query sorted, payload hashed), with node:crypto only, because this
 * runs on every request and must stay cheap: signing keys are cached per day/Region/service.
 * It shares no code with the orchestrator's signer (src/adapters/sigv4-request-signer.ts) on purpose:
 * an independent referee, so a canonicalisation mistake in one is caught by the other.
 *
 * Two forms: the Authorization header (every AWS route) and the query-string presigned URL
 * (`verifyPresigned`: AWS IoT's MQTT-over-WebSocket door, `/mqtt`).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from '../aws-error.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A presigned request: everything is in the URL, the body is empty (a WebSocket upgrade is a GET). */
export interface PresignedRequest {
  readonly method: string;
  /** path and raw query string, as received */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
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
/** AWS's longest presigned URL lifetime (7 days) */
const MAX_PRESIGNED_SECONDS = 604_800;
const CREDENTIAL_PATTERN = /^([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request$/;
const EMPTY_PAYLOAD_HASH = createHash('sha256').update('').digest('hex');
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
    const signedAt = parseAmzDate(amzDate);
    if (Math.abs(this.now() - signedAt) > MAX_SKEW_MS) {
      throw new AwsError('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier or later than the server time by more than 15 minutes.`, 403);
    }

    const signedHeaders = signedHeaderList.split(';');
    const payloadHash = createHash('sha256').update(request.body).digest('hex');
    this.checkSignature({ method: request.method, url: request.url, headers: request.headers }, { accessKeyId, secret, day, region, service, amzDate, signedHeaders, signature, payloadHash }, QUERY_UNSIGNED);
    return { accessKeyId, region, service };
  }

  /**
   * A query-string presigned URL (X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders,
   * -Signature), with AWS IoT's quirk: X-Amz-Security-Token is appended after signing, so it is left
   * out of the canonical query (any value is accepted: the emulator issues no session tokens).
   * X-Amz-Expires is honoured against this verifier's clock; the payload is the empty string's hash.
   */
  verifyPresigned(request: PresignedRequest): SignatureScope {
    const params = queryParams(request.url);
    if (![...params.keys()].some((key) => key.startsWith('x-amz-'))) {
      throw new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
    }
    const credential = CREDENTIAL_PATTERN.exec(params.get('x-amz-credential') ?? '');
    const amzDate = params.get('x-amz-date') ?? '';
    const expires = params.get('x-amz-expires') ?? '';
    const signedHeaderList = params.get('x-amz-signedheaders') ?? '';
    const signature = params.get('x-amz-signature') ?? '';
    if (params.get('x-amz-algorithm') !== ALGORITHM || !credential || !/^[0-9a-f]{64}$/.test(signature) || signedHeaderList === '') {
      throw new AwsError(
        'IncompleteSignatureException',
        `A presigned URL requires X-Amz-Algorithm=${ALGORITHM}, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.`,
        403,
      );
    }
    const [, accessKeyId, day, region, service] = credential as unknown as [string, string, string, string, string];
    const secret = this.secrets.get(accessKeyId);
    if (secret === undefined) {
      throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
    }
    if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day) {
      throw new AwsError('IncompleteSignatureException', 'X-Amz-Date is missing or does not match the credential scope date.', 403);
    }
    if (!/^\d{1,6}$/.test(expires) || +expires < 1 || +expires > MAX_PRESIGNED_SECONDS) {
      throw new AwsError('IncompleteSignatureException', `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGNED_SECONDS}, got '${expires}'.`, 403);
    }
    const signedAt = parseAmzDate(amzDate);
    const now = this.now();
    if (now > signedAt + +expires * 1000) {
      throw new AwsError('InvalidSignatureException', `Signature expired: the URL signed at ${amzDate} was valid for ${expires} seconds.`, 403);
    }
    if (signedAt - now > MAX_SKEW_MS) {
      throw new AwsError('InvalidSignatureException', `Signature not yet current: ${amzDate} is later than the server time by more than 15 minutes.`, 403);
    }
    const signedHeaders = signedHeaderList.split(';');
    this.checkSignature(request, { accessKeyId, secret, day, region, service, amzDate, signedHeaders, signature, payloadHash: EMPTY_PAYLOAD_HASH }, QUERY_UNSIGNED_PRESIGNED);
    return { accessKeyId, region, service };
  }

  private checkSignature(request: PresignedRequest, s: SignatureParts, unsigned: ReadonlySet<string>): void {
    const canonicalRequest = [
      request.method,
      canonicalPath(request.url),
      canonicalQuery(request.url, unsigned),
      s.signedHeaders.map((name) => `${name}:${(headerValue(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join(''),
      s.signedHeaders.join(';'),
      s.payloadHash,
    ].join('\n');
    const scope = `${s.day}/${s.region}/${s.service}/aws4_request`;
    const stringToSign = `${ALGORITHM}\n${s.amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const expected = createHmac('sha256', this.signingKey(s.accessKeyId, s.secret, s.day, s.region, s.service)).update(stringToSign).digest();
    if (!s.signedHeaders.includes('host') || !timingSafeEqual(expected, Buffer.from(s.signature, 'hex'))) {
      throw new AwsError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        403,
      );
    }
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

interface SignatureParts {
  readonly accessKeyId: string;
  readonly secret: string;
  readonly day: string;
  readonly region: string;
  readonly service: string;
  readonly amzDate: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly payloadHash: string;
}

/** query parameters left out of the canonical query (lower-case): the signature itself… */
const QUERY_UNSIGNED: ReadonlySet<string> = new Set(['x-amz-signature']);
/** …and, on AWS IoT's presigned URLs, the session token appended after signing */
const QUERY_UNSIGNED_PRESIGNED: ReadonlySet<string> = new Set(['x-amz-signature', 'x-amz-security-token']);

function parseAmzDate(amzDate: string): number {
  return Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
}

/** The query's parameters by lower-cased name (first occurrence), decoded. */
function queryParams(url: string): Map<string, string> {
  const params = new Map<string, string>();
  const q = url.indexOf('?');
  if (q === -1) return params;
  for (const part of url.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq === -1 ? part : part.slice(0, eq)).toLowerCase();
    if (!params.has(key)) params.set(key, eq === -1 ? '' : safeDecode(part.slice(eq + 1)));
  }
  return params;
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

function canonicalQuery(url: string, unsigned: ReadonlySet<string>): string {
  const q = url.indexOf('?');
  if (q === -1 || q === url.length - 1) return '';
  const pairs: string[] = [];
  for (const part of url.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : safeDecode(part.slice(eq + 1));
    if (unsigned.has(key.toLowerCase())) continue;
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
