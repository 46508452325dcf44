/**
 * Device messages as MQTT 5 PUBLISHes over WebSocket to the IoT data endpoint (AWS IoT's `wss://<endpoint>/mqtt`,
 * SigV4 presigned with signing name `iotdevicegateway`) instead of one HTTPS Publish each: a pool of
 * connections (MqttPublishPool) packs a turn's publishes into one frame per connection, for a fraction of the
 * CPU of signed HTTPS. Endpoint, Region and credentials are the SDK's, resolved as SignedIotPublisher resolves
 * them (so it goes wherever the SDK publisher goes, AWS or a stand-in); each publish is counted as `Publish`
 * and tried three times on throttling and transient errors (a lost connection among them), as the others are.
 */
import { randomBytes } from 'node:crypto';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import type { ClientOptions } from 'ws';
import { AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS, AWS_IOT_MAX_PAYLOAD_BYTES, AWS_IOT_PUBLISHES_PER_SECOND_PER_CONNECTION, publishExpirySeconds } from '../domain/aws-iot-limits.js';
import type { AwsClients } from './aws-clients.js';
import { countedAwsCall } from './counted-aws-call.js';
import { resolveDataPlane, type IotPublisher } from './iot-publisher.js';
import type { Metrics } from './metrics.js';
import { MqttPublishConnection } from './mqtt-publish-connection.js';
import { MqttPublishError } from './mqtt-publish-error.js';
import { MqttPublishPool } from './mqtt-publish-pool.js';
import { publishWithAttempts } from './publish-attempts.js';
import { presignedUrl } from './sigv4-presigned-url.js';

/** AWS IoT's signing name for MQTT over WebSocket (not the REST data plane's `iotdata`) */
const SIGNING_NAME = 'iotdevicegateway';
/** the URL's validity; the connection outlives it (AWS checks it at connect only) */
const URL_EXPIRES_SECONDS = 86_400;
/** every publish connection's client id starts so (deploy/aws/orchestrator-policy.json grants iot:Connect on it) */
export const PUBLISH_CLIENT_ID_PREFIX = 'fleet-enroll-publisher-';
/**
 * Publishes per second on one connection: AWS IoT's 100 less a tenth. AWS counts them as they arrive, and a
 * burst held up on the way (a busy event loop, the network) lands nearer the next one than it was sent.
 */
export const PUBLISHES_PER_SECOND_PER_CONNECTION = Math.floor(AWS_IOT_PUBLISHES_PER_SECOND_PER_CONNECTION * 0.9);

export interface MqttIotPublisherOptions {
  /** connections per process at most: ceil(FLEET_IOT_PUBLISH_RPS / publishesPerSecondPerConnection) */
  readonly maxConnections?: number;
  /** publishes per second per connection (default PUBLISHES_PER_SECOND_PER_CONNECTION, under AWS IoT's 100/s) */
  readonly publishesPerSecondPerConnection?: number;
  /** a connection without publishes this long is closed */
  readonly idleCloseMs?: number;
  /** retired before AWS IoT's 24 h connection lifetime ends it */
  readonly maxConnectionAgeMs?: number;
  /** MQTT keep alive (AWS IoT allows 30–1,200 s) */
  readonly keepAliveSeconds?: number;
  /** an unacked publish this long takes its connection for lost */
  readonly ackTimeoutMs?: number;
  readonly now?: () => number;
}

interface DataPlaneLink {
  readonly url: URL;
  readonly region: string;
  readonly credentials: Provider<AwsCredentialIdentity>;
  readonly wsOptions: ClientOptions;
}

export class MqttIotPublisher implements IotPublisher {
  private readonly pool: MqttPublishPool;
  private link: Promise<DataPlaneLink> | undefined;
  /** per process: AWS drops the older of two connections with one client id; the policy allows CLIENT_ID_PREFIX* */
  private readonly clientIdPrefix = `${PUBLISH_CLIENT_ID_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
  private connectionSeq = 0;
  private readonly settings: Required<MqttIotPublisherOptions>;

  constructor(
    private readonly clients: AwsClients,
    private readonly metrics: Metrics,
    /** AWS IoT's cap on MQTT 5 message expiry (604,800 s): a longer one is sent as the cap */
    private readonly maxExpirySeconds = AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS,
    options: MqttIotPublisherOptions = {},
  ) {
    this.settings = {
      maxConnections: options.maxConnections ?? 100,
      publishesPerSecondPerConnection: options.publishesPerSecondPerConnection ?? PUBLISHES_PER_SECOND_PER_CONNECTION,
      idleCloseMs: options.idleCloseMs ?? 60_000,
      maxConnectionAgeMs: options.maxConnectionAgeMs ?? 23 * 3_600_000,
      keepAliveSeconds: options.keepAliveSeconds ?? 60,
      ackTimeoutMs: options.ackTimeoutMs ?? 15_000,
      now: options.now ?? Date.now,
    };
    this.pool = new MqttPublishPool((events) => this.openConnection(events), {
      maxConnections: this.settings.maxConnections,
      expectedRoomPerConnection: this.settings.publishesPerSecondPerConnection,
      idleCloseMs: this.settings.idleCloseMs,
      maxConnectionAgeMs: this.settings.maxConnectionAgeMs,
      now: this.settings.now,
    });
  }

  async publishRetained(topic: string, payload: string, expirySeconds: number): Promise<void> {
    await this.publish(topic, Buffer.from(payload), publishExpirySeconds(expirySeconds, this.maxExpirySeconds));
  }

  async clearRetained(topic: string): Promise<void> {
    await this.publish(topic, Buffer.alloc(0), undefined);
  }

  /** the first connection opened at start: the first batch's publishes do not wait for its handshake */
  async prepare(): Promise<void> {
    await this.pool.warm().catch(() => undefined);
  }

  close(): void {
    this.pool.close();
  }

  private async publish(topic: string, payload: Buffer, messageExpiry: number | undefined): Promise<void> {
    await publishWithAttempts(() =>
      countedAwsCall(this.metrics, 'Publish', () => {
        // over MQTT 5 a too-large packet ends the connection (DISCONNECT 0x95), which would read as transient
        if (payload.length > AWS_IOT_MAX_PAYLOAD_BYTES) throw MqttPublishError.tooLarge(payload.length, AWS_IOT_MAX_PAYLOAD_BYTES);
        return this.pool.publish(topic, payload, messageExpiry);
      }),
    );
  }

  /** a new connection: a fresh presigned URL (current credentials and date), a new client id */
  private async openConnection(events: { onRoom: (c: MqttPublishConnection) => void; onGone: (c: MqttPublishConnection) => void }): Promise<MqttPublishConnection> {
    const link = await this.resolve();
    const now = this.settings.now();
    const url = presignedUrl({ url: link.url, service: SIGNING_NAME, region: link.region, credentials: await link.credentials(), expiresInSeconds: URL_EXPIRES_SECONDS, now });
    return new MqttPublishConnection({
      url,
      clientId: `${this.clientIdPrefix}-${++this.connectionSeq}`,
      keepAliveSeconds: this.settings.keepAliveSeconds,
      publishesPerSecond: this.settings.publishesPerSecondPerConnection,
      ackTimeoutMs: this.settings.ackTimeoutMs,
      wsOptions: link.wsOptions,
      now: this.settings.now,
      ...events,
    });
  }

  private resolve(): Promise<DataPlaneLink> {
    this.link ??= resolveDataPlane(this.clients, this.metrics).then(
      async ({ client, endpoint }) => {
        const base = new URL(endpoint);
        const secure = base.protocol === 'https:';
        const url = new URL(`${secure ? 'wss' : 'ws'}://${base.host}${base.pathname.replace(/\/$/, '')}/mqtt`);
        // the CA bundle the SDK's agent trusts (AWS_CA_BUNDLE), for a stand-in with its own certificate
        const ca = secure ? (this.clients.agents.https.options as { ca?: ClientOptions['ca'] }).ca : undefined;
        return { url, region: await client.config.region(), credentials: client.config.credentials, wsOptions: ca ? { ca } : {} };
      },
      (err: unknown) => {
        this.link = undefined;
        throw err;
      },
    );
    return this.link;
  }
}
