/**
 * Device messages through the IoT data plane's REST Publish (`POST /topics/{topic}?qos=1&retain=true`),
 * signed with SigV4 by the SDK's own signer and sent on the shared keep-alive agents — without the SDK
 * client's per-call middleware stack, endpoint rules and serde (bench/README.md, "Publish path"). Endpoint,
 * Region and credentials are the SDK's (resolved as SdkIotPublisher resolves them; credentials through the
 * SDK's caching provider on every call), so it goes wherever the SDK publisher goes, AWS or a stand-in.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { toAwsCallError } from '../domain/aws-error.js';
import { fullJitterBackoff } from '../domain/backoff.js';
import { AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS } from '../domain/aws-iot-limits.js';
import type { AwsClients } from './aws-clients.js';
import type { IotPublisher } from './iot-publisher.js';
import { resolveDataPlane } from './iot-publisher.js';
import type { Metrics } from './metrics.js';

/** the SigV4 signing name of the IoT data plane */
const SIGNING_NAME = 'iotdata';
const ATTEMPTS = 3;
const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 2_000;

interface Target {
  readonly url: URL;
  readonly signer: SignatureV4;
}

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

/** RFC 3986 escaping as SigV4 wants it for a path segment (also `!'()*`) */
function escapeSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class SignedIotPublisher implements IotPublisher {
  private target: Promise<Target> | undefined;

  constructor(
    private readonly clients: AwsClients,
    private readonly metrics: Metrics,
    /** AWS IoT's cap on MQTT 5 message expiry (604,800 s): a longer one is sent as the cap */
    private readonly maxExpirySeconds = AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS,
  ) {}

  async publishRetained(topic: string, payload: string, expirySeconds: number): Promise<void> {
    const expiry = Math.max(1, Math.min(this.maxExpirySeconds, Math.ceil(expirySeconds)));
    await this.publish(topic, Buffer.from(payload), expiry);
  }

  async clearRetained(topic: string): Promise<void> {
    await this.publish(topic, Buffer.alloc(0), undefined);
  }

  close(): void {
    // the agents belong to AwsClients, which destroys them
  }

  /** tried up to ATTEMPTS times on throttling and transient errors, with full-jitter backoff (as the SDK client did) */
  private async publish(topic: string, body: Buffer, messageExpiry: number | undefined): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.send(topic, body, messageExpiry);
        this.metrics.awsCalls.inc({ operation: 'Publish', outcome: 'ok' });
        return;
      } catch (err) {
        const e = toAwsCallError('Publish', err);
        this.metrics.awsCalls.inc({ operation: 'Publish', outcome: e.throttled ? 'throttled' : 'error' });
        if (e.permanent || attempt >= ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, fullJitterBackoff(attempt - 1, RETRY_BASE_MS, RETRY_MAX_MS)));
      }
    }
  }

  private async send(topic: string, body: Buffer, messageExpiry: number | undefined): Promise<void> {
    const { url, signer } = await this.resolve();
    const query: Record<string, string> = { qos: '1', retain: 'true' };
    if (messageExpiry !== undefined) query.messageExpiry = String(messageExpiry);
    const path = `${url.pathname.replace(/\/$/, '')}/topics/${escapeSegment(topic)}`;
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path,
      query,
      headers: { host: url.host, 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
      body,
    });
    const search = new URLSearchParams(query).toString();
    const agents = this.clients.agents;
    const https = url.protocol === 'https:';
    await new Promise<void>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        {
          method: 'POST',
          hostname: url.hostname,
          port: url.port || (https ? 443 : 80),
          path: `${path}?${search}`,
          headers: signed.headers,
          agent: https ? agents.https : agents.http,
          timeout: agents.requestTimeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve();
            reject(serviceError(status, res.headers['x-amzn-errortype'], Buffer.concat(chunks).toString('utf8')));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('Publish timed out'), { name: 'TimeoutError' })));
      req.on('error', reject);
      req.end(body);
    });
  }

  private resolve(): Promise<Target> {
    this.target ??= resolveDataPlane(this.clients, this.metrics).then(
      async ({ client, endpoint }) => {
        const region = await client.config.region();
        return { url: new URL(endpoint), signer: new SignatureV4({ service: SIGNING_NAME, region, credentials: client.config.credentials, sha256: NodeSha256 }) };
      },
      (err: unknown) => {
        this.target = undefined;
        throw err;
      },
    );
    return this.target;
  }
}

/** an error answer as the SDK would raise it: the AWS error name (header, else body), status and message */
function serviceError(status: number, typeHeader: string | string[] | undefined, text: string): Error {
  let body: { message?: unknown; Message?: unknown; __type?: unknown; code?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: the status says enough
  }
  const raw = (Array.isArray(typeHeader) ? typeHeader[0] : typeHeader) ?? (typeof body.__type === 'string' ? body.__type : undefined) ?? (typeof body.code === 'string' ? body.code : undefined);
  const name = raw?.split(':')[0]?.split('#').pop() ?? `Http${status}`;
  const message = typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : `HTTP ${status}`;
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}
