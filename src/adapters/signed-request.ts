/**
 * One AWS request signed with SigV4 (SigV4RequestSigner: what the SDK's signer would send, for less CPU) and
 * sent on the shared keep-alive agents: the per-device calls (IoT Publish, SSM AddTagsToResource) without an
 * SDK client's per-call middleware stack, endpoint rules and serde (bench/README.md, "Publish path"). An error
 * answer is raised as the SDK raises one — the AWS error name (header, else body), the status, the message — so
 * toAwsCallError classifies it the same way.
 */
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import type { AwsClients } from './aws-clients.js';
import { SigV4RequestSigner } from './sigv4-request-signer.js';

export interface SignedCall {
  /** path below the endpoint's own, already escaped as it goes on the wire */
  readonly path: string;
  /** the canonical query string (keys sorted, RFC 3986-escaped), sent as is; '' for none */
  readonly query: string;
  /** the call's own headers (lowercase), one constant object per kind of call: see SigV4Request.headers */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export class SignedRequester {
  private readonly signer: SigV4RequestSigner;
  private readonly request: typeof httpRequest;
  private readonly agent: HttpAgent;
  private readonly hostname: string;
  private readonly port: string | number;
  private readonly basePath: string;
  private readonly timeoutMs: number;

  constructor(
    clients: AwsClients,
    endpoint: URL,
    /** the SigV4 signing name and Region */
    service: string,
    region: string,
    /** the SDK's caching credential provider */
    credentials: Provider<AwsCredentialIdentity>,
  ) {
    const https = endpoint.protocol === 'https:';
    const agents = clients.agents;
    this.request = https ? httpsRequest : httpRequest;
    this.agent = https ? agents.https : agents.http;
    this.timeoutMs = agents.requestTimeoutMs;
    this.hostname = endpoint.hostname;
    this.port = endpoint.port || (https ? 443 : 80);
    this.basePath = endpoint.pathname.replace(/\/$/, '');
    this.signer = new SigV4RequestSigner(endpoint.host, service, region, credentials);
  }

  /** POSTs the call; resolves to the answer's body, rejects with an SDK-shaped error on a non-2xx answer */
  async post(call: SignedCall): Promise<Buffer> {
    const path = this.basePath + call.path;
    const headers = await this.signer.sign({ method: 'POST', path, query: call.query, headers: call.headers, body: call.body });
    return new Promise<Buffer>((resolve, reject) => {
      const req = this.request(
        {
          method: 'POST',
          hostname: this.hostname,
          port: this.port,
          path: call.query ? `${path}?${call.query}` : path,
          // the signed headers, Host among them, as raw pairs
          headers,
          setHost: false,
          agent: this.agent,
          timeout: this.timeoutMs,
        },
        (res) => readAnswer(res, resolve, reject),
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { name: 'TimeoutError' })));
      req.on('error', reject);
      req.end(call.body);
    });
  }
}

function readAnswer(res: IncomingMessage, resolve: (body: Buffer) => void, reject: (err: Error) => void): void {
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  // answers are mostly empty or one chunk: no array for them
  res.on('data', (c: Buffer) => {
    if (first === undefined) first = c;
    else (more ??= [first]).push(c);
  });
  res.on('end', () => {
    const status = res.statusCode ?? 0;
    const body = more ? Buffer.concat(more) : (first ?? EMPTY);
    if (status >= 200 && status < 300) resolve(body);
    else reject(serviceError(status, res.headers['x-amzn-errortype'], body.toString('utf8')));
  });
  res.on('error', reject);
}

const EMPTY = Buffer.alloc(0);

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
