/**
 * SigV4 (AWS4-HMAC-SHA256) for the per-device calls' fixed-shape requests, byte for byte what
 * `@smithy/signature-v4` produces for the same request (test/unit/adapters/sigv4-request-signer.test.ts),
 * at a fraction of its CPU: the SDK's signer clones the request, sorts and regex-normalises every header,
 * escapes the query and hashes through a Promise per digest on every call (bench/README.md, "Publish path").
 * Here a request shape's canonical headers are built once (per constant headers object), the signing key once
 * per day and credentials, the empty body's hash is a constant and every digest is synchronous.
 * Credentials are asked of the SDK's provider on every call: it caches them and refreshes them before they
 * expire, so rotated credentials are picked up as the SDK client would pick them up.
 */
import { createHmac, hash } from 'node:crypto';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';

export interface SigV4Request {
  readonly method: string;
  /** the path as sent on the wire, each segment already RFC 3986-escaped once */
  readonly path: string;
  /** the canonical query string, also sent as is: keys sorted, keys and values RFC 3986-escaped; '' for none */
  readonly query: string;
  /**
   * headers to sign besides those the signer adds (host, content-length, x-amz-*): lowercase names, values
   * without leading, trailing or repeated whitespace. One constant object per request shape: its canonical
   * form is built on first use and kept by identity.
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** headers the signer sets itself; a shape may not carry them */
const GENERATED = new Set(['host', 'content-length', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token', 'authorization']);
/** a path whose SigV4 normalisation is the identity: non-empty segments of unreserved characters and escapes, none `.` or `..` */
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-_.~%]+)+$/;

/** the per-call values of a canonical header block, in the sorted position of their header */
const enum Slot {
  ContentLength,
  ContentSha256,
  Date,
  SecurityToken,
}

/** a request shape's canonical headers: fixed `name:value\n` runs with the per-call slots between them */
interface Shape {
  readonly parts: readonly (string | Slot)[];
  /** the shape's own headers and host, as name/value pairs to send */
  readonly pairs: readonly string[];
  readonly signedHeaders: string;
  readonly signedHeadersWithToken: string;
}

interface SigningKey {
  readonly shortDate: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly key: Buffer;
  /** `AWS4-HMAC-SHA256 Credential=<key id>/<scope>, SignedHeaders=` */
  readonly authorizationPrefix: string;
  /** `<long date>\n<scope>\n` is appended per call; this is `<scope>\n` */
  readonly scopeLine: string;
}

export class SigV4RequestSigner {
  private readonly shapes = new WeakMap<object, Shape>();
  private signingKey: SigningKey | undefined;
  private dateSecond = Number.NaN;
  private token = '';
  private tokenValue = '';
  private longDate = '';

  constructor(
    /** the Host header as sent: hostname, and the port when not the scheme's default */
    private readonly host: string,
    /** the SigV4 signing name and Region */
    private readonly service: string,
    private readonly region: string,
    /** the SDK's caching credential provider */
    private readonly credentials: Provider<AwsCredentialIdentity>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * the request's headers to send, the signature's among them, as one flat name/value array: node:http's raw
   * form, which it writes without keeping a header map per request
   */
  async sign(request: SigV4Request): Promise<string[]> {
    const credentials = await this.credentials();
    const longDate = this.currentLongDate();
    const key = this.keyFor(credentials, longDate.slice(0, 8));
    const shape = this.shapeOf(request.headers);
    const token = credentials.sessionToken;
    const contentLength = String(request.body.length);
    const payloadHash = request.body.length === 0 ? EMPTY_SHA256 : hash('sha256', request.body, 'hex');

    let canonicalHeaders = '';
    for (const part of shape.parts) {
      if (typeof part === 'string') canonicalHeaders += part;
      else if (part === Slot.ContentLength) canonicalHeaders += `content-length:${contentLength}\n`;
      else if (part === Slot.ContentSha256) canonicalHeaders += `x-amz-content-sha256:${payloadHash}\n`;
      else if (part === Slot.Date) canonicalHeaders += `x-amz-date:${longDate}\n`;
      else if (token) canonicalHeaders += `x-amz-security-token:${this.canonicalToken(token)}\n`;
    }
    const signedHeaders = token ? shape.signedHeadersWithToken : shape.signedHeaders;
    const canonicalRequest = `${request.method}\n${canonicalPath(request.path)}\n${request.query}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
    const stringToSign = `${ALGORITHM}\n${longDate}\n${key.scopeLine}${hash('sha256', canonicalRequest, 'hex')}`;
    const signature = createHmac('sha256', key.key).update(stringToSign).digest('hex');

    const headers = [
      ...shape.pairs,
      'content-length',
      contentLength,
      'x-amz-date',
      longDate,
      'x-amz-content-sha256',
      payloadHash,
      'authorization',
      `${key.authorizationPrefix}${signedHeaders}, Signature=${signature}`,
    ];
    if (token) headers.push('x-amz-security-token', token);
    return headers;
  }

  /** `YYYYMMDDTHHMMSSZ`, formatted once per second */
  private currentLongDate(): string {
    const second = Math.floor(this.now() / 1_000);
    if (second !== this.dateSecond) {
      const iso = new Date(second * 1_000).toISOString();
      this.longDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
      this.dateSecond = second;
    }
    return this.longDate;
  }

  /** the session token as signed, normalised once per token */
  private canonicalToken(token: string): string {
    if (token !== this.token) {
      this.tokenValue = canonicalValue(token);
      this.token = token;
    }
    return this.tokenValue;
  }

  /** the signing key of the day and credentials, derived again only when either changes */
  private keyFor(credentials: AwsCredentialIdentity, shortDate: string): SigningKey {
    if (typeof credentials?.accessKeyId !== 'string' || typeof credentials.secretAccessKey !== 'string') {
      throw new Error('Resolved credential object is not valid');
    }
    const cached = this.signingKey;
    if (cached && cached.shortDate === shortDate && cached.accessKeyId === credentials.accessKeyId && cached.secretAccessKey === credentials.secretAccessKey) {
      return cached;
    }
    let key: Buffer = createHmac('sha256', `AWS4${credentials.secretAccessKey}`).update(shortDate).digest();
    for (const part of [this.region, this.service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    const scope = `${shortDate}/${this.region}/${this.service}/aws4_request`;
    this.signingKey = {
      shortDate,
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      key,
      authorizationPrefix: `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=`,
      scopeLine: `${scope}\n`,
    };
    return this.signingKey;
  }

  private shapeOf(headers: Readonly<Record<string, string>>): Shape {
    let shape = this.shapes.get(headers);
    if (!shape) {
      shape = buildShape(this.host, headers);
      this.shapes.set(headers, shape);
    }
    return shape;
  }
}

function buildShape(host: string, headers: Readonly<Record<string, string>>): Shape {
  const fixed = new Map<string, string>([['host', host]]);
  for (const [name, value] of Object.entries(headers)) {
    if (name !== name.toLowerCase() || GENERATED.has(name)) throw new Error(`header ${name}: not one a request shape may carry`);
    fixed.set(name, canonicalValue(value));
  }
  const slots = new Map<string, Slot>([
    ['content-length', Slot.ContentLength],
    ['x-amz-content-sha256', Slot.ContentSha256],
    ['x-amz-date', Slot.Date],
    ['x-amz-security-token', Slot.SecurityToken],
  ]);
  const names = [...fixed.keys(), ...slots.keys()].sort();
  const parts: (string | Slot)[] = [];
  for (const name of names) {
    const slot = slots.get(name);
    const last = parts.length - 1;
    if (slot !== undefined) parts.push(slot);
    else if (typeof parts[last] === 'string') parts[last] += `${name}:${fixed.get(name)!}\n`;
    else parts.push(`${name}:${fixed.get(name)!}\n`);
  }
  return {
    parts,
    pairs: [...Object.entries(headers).flat(), 'host', host],
    signedHeaders: names.filter((n) => n !== 'x-amz-security-token').join(';'),
    signedHeadersWithToken: names.join(';'),
  };
}

/** a header value as SigV4 signs it: line breaks and runs of blanks as one space, trimmed (the SDK's rule) */
function canonicalValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

/** the SDK's canonical path (segments normalised, then URI-encoded once more), with the common case cheap */
function canonicalPath(path: string): string {
  if (PLAIN_PATH.test(path)) return path.includes('%') ? path.replaceAll('%', '%25') : path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeRfc3986(normalized).replace(/%2F/g, '/');
}

/** RFC 3986 escaping as SigV4 wants it (encodeURIComponent, and `!'()*` too) */
export function escapeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
