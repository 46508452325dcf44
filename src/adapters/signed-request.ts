/**
 * One AWS request signed with SigV4 by the SDK's own signer and sent on the shared keep-alive agents: the
 * per-device calls (IoT Publish, SSM AddTagsToResource) without an SDK client's per-call middleware stack,
 * endpoint rules and serde (bench/README.md, "Publish path"). An error answer is raised as the SDK raises
 * one — the AWS error name (header, else body), the status, the message — so toAwsCallError classifies it
 * the same way.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsClients } from './aws-clients.js';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): Buffer =>
  typeof d === 'string' ? Buffer.from(d) : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);

/** SHA-256 and HMAC-SHA-256 on node:crypto, in the shape the SDK's signer asks for */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

export interface SignedCall {
  /** path below the endpoint's own, already escaped as it goes on the wire */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export class SignedRequester {
  private readonly signer: SignatureV4;

  constructor(
    private readonly clients: AwsClients,
    private readonly endpoint: URL,
    /** the SigV4 signing name and Region */
    service: string,
    region: string,
    /** the SDK's caching credential provider */
    credentials: Provider<AwsCredentialIdentity>,
  ) {
    this.signer = new SignatureV4({ service, region, credentials, sha256: NodeSha256 });
  }

  /** POSTs the call; resolves to the answer's body, rejects with an SDK-shaped error on a non-2xx answer */
  async post(call: SignedCall): Promise<Buffer> {
    const url = this.endpoint;
    const path = `${url.pathname.replace(/\/$/, '')}${call.path}`;
    const query = call.query ?? {};
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path,
      query,
      headers: { ...call.headers, host: url.host, 'content-length': String(call.body.length) },
      body: call.body,
    });
    const search = new URLSearchParams(query).toString();
    const agents = this.clients.agents;
    const https = url.protocol === 'https:';
    return new Promise<Buffer>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        {
          method: 'POST',
          hostname: url.hostname,
          port: url.port || (https ? 443 : 80),
          path: search ? `${path}?${search}` : path,
          headers: signed.headers,
          agent: https ? agents.https : agents.http,
          timeout: agents.requestTimeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const body = Buffer.concat(chunks);
            if (status >= 200 && status < 300) resolve(body);
            else reject(serviceError(status, res.headers['x-amzn-errortype'], body.toString('utf8')));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { name: 'TimeoutError' })));
      req.on('error', reject);
      req.end(call.body);
    });
  }
}

/** RFC 3986 escaping as SigV4 wants it for a path segment (also `!'()*`) */
export function escapePathSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** an error answer as the SDK would raise it: the AWS error name (header, else body), status and message */
export function serviceError(status: number, typeHeader: string | string[] | undefined, text: string): Error {
  let body: { message?: unknown; Message?: unknown; __type?: unknown; code?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: the status says enough
  }
  const raw =
    (Array.isArray(typeHeader) ? typeHeader[0] : typeHeader) ??
    (typeof body.__type === 'string' ? body.__type : undefined) ??
    (typeof body.code === 'string' ? body.code : undefined);
  const name = raw?.split(':')[0]?.split('#').pop() || `Http${status}`;
  const message = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : `HTTP ${status}`;
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}
