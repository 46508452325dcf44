/**
 * Device messages through the IoT data plane's REST Publish (`POST /topics/{topic}?qos=1&retain=true`),
 * signed and sent by SignedRequester instead of the SDK client (FLEET_PER_DEVICE_CALLS=signed). Endpoint,
 * Region and credentials are the SDK's, resolved as SdkIotPublisher resolves them, so it goes wherever the
 * SDK publisher goes, AWS or a stand-in; tried three times on throttling and transient errors, as the SDK
 * client was.
 */
import { AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS, publishExpirySeconds } from '../domain/aws-iot-limits.js';
import type { AwsClients } from './aws-clients.js';
import { countedAwsCall } from './counted-aws-call.js';
import { resolveDataPlane, type IotPublisher } from './iot-publisher.js';
import { publishWithAttempts } from './publish-attempts.js';
import type { Metrics } from './metrics.js';
import { SignedRequester } from './signed-request.js';
import { escapeRfc3986 } from './sigv4-request-signer.js';

/** the SigV4 signing name of the IoT data plane */
const SIGNING_NAME = 'iotdata';
/** one constant object: the signer builds its canonical headers once */
const PUBLISH_HEADERS = { 'content-type': 'application/octet-stream' } as const;

export class SignedIotPublisher implements IotPublisher {
  private requester: Promise<SignedRequester> | undefined;
  /** the requester once resolved: no await on its promise per call */
  private resolved: SignedRequester | undefined;

  constructor(
    private readonly clients: AwsClients,
    private readonly metrics: Metrics,
    /** AWS IoT's cap on MQTT 5 message expiry (604,800 s): a longer one is sent as the cap */
    private readonly maxExpirySeconds = AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS,
  ) {}

  async publishRetained(topic: string, payload: string, expirySeconds: number): Promise<void> {
    await this.publish(topic, Buffer.from(payload), publishExpirySeconds(expirySeconds, this.maxExpirySeconds));
  }

  async clearRetained(topic: string): Promise<void> {
    await this.publish(topic, Buffer.alloc(0), undefined);
  }

  close(): void {
    // the agents belong to AwsClients, which destroys them
  }

  private async publish(topic: string, body: Buffer, messageExpiry: number | undefined): Promise<void> {
    // the canonical query: keys sorted, values that need no escaping
    const query = messageExpiry === undefined ? 'qos=1&retain=true' : `messageExpiry=${messageExpiry}&qos=1&retain=true`;
    const call = { path: `/topics/${escapeRfc3986(topic)}`, query, headers: PUBLISH_HEADERS, body };
    await publishWithAttempts(async () => {
      const requester = this.resolved ?? (await this.resolve());
      await countedAwsCall(this.metrics, 'Publish', () => requester.post(call));
    });
  }

  private resolve(): Promise<SignedRequester> {
    this.requester ??= resolveDataPlane(this.clients, this.metrics).then(
      async ({ client, endpoint }) =>
        (this.resolved = new SignedRequester(this.clients, new URL(endpoint), SIGNING_NAME, await client.config.region(), client.config.credentials)),
      (err: unknown) => {
        this.requester = undefined;
        throw err;
      },
    );
    return this.requester;
  }
}
