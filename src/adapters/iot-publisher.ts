/**
 * Device messages through the AWS IoT data plane: credentials (QoS 1, retained, expiring with the
 * activation, or after 7 days, AWS IoT's cap, when it lives longer: reconcile republishes them) and the zero-byte retained publish that clears them. The endpoint is the SDK's configured
 * one (AWS_ENDPOINT_URL_IOT_DATA_PLANE, config file) when there is one, else the account's iot:Data-ATS
 * endpoint from DescribeEndpoint.
 */
import { DescribeEndpointCommand } from '@aws-sdk/client-iot';
import { PublishCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { toAwsCallError } from '../domain/aws-error.js';
import { AWS_IOT_MAX_MESSAGE_EXPIRY_SECONDS, publishExpirySeconds } from '../domain/aws-iot-limits.js';
import type { AwsClients } from './aws-clients.js';
import { countedAwsCall } from './counted-aws-call.js';
import type { Metrics } from './metrics.js';

export interface IotPublisher {
  /** retained QoS 1 message that expires after `expirySeconds` (at most 604,800 s: AWS IoT's cap) */
  publishRetained(topic: string, payload: string, expirySeconds: number): Promise<void>;
  /** zero-byte retained publish: the broker drops the topic's retained message */
  clearRetained(topic: string): Promise<void>;
  /** opens ahead what the first publish would wait for (a connection), when there is such a thing; never throws */
  prepare?(): Promise<void>;
  close(): void;
}

interface EndpointAwareConfig {
  isCustomEndpoint?: boolean;
  serviceConfiguredEndpoint?: () => Promise<string | undefined>;
  endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
}

export class SdkIotPublisher implements IotPublisher {
  private client: Promise<IoTDataPlaneClient> | undefined;

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
    await this.publish(topic, new Uint8Array(0), undefined);
  }

  close(): void {
    void this.client?.then((c) => c.destroy()).catch(() => undefined);
  }

  private async publish(topic: string, payload: Uint8Array, messageExpiry: number | undefined): Promise<void> {
    const client = await this.dataPlane();
    await countedAwsCall(this.metrics, 'Publish', () => client.send(new PublishCommand({ topic, qos: 1, retain: true, payload, messageExpiry })));
  }

  private dataPlane(): Promise<IoTDataPlaneClient> {
    this.client ??= this.resolve().catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
  }

  private async resolve(): Promise<IoTDataPlaneClient> {
    return (await resolveDataPlane(this.clients, this.metrics)).client;
  }
}

/**
 * The data-plane client and its endpoint URL: the SDK's configured one (AWS_ENDPOINT_URL_IOT_DATA_PLANE, config
 * file) when there is one, else the account's iot:Data-ATS endpoint from DescribeEndpoint.
 */
export async function resolveDataPlane(clients: AwsClients, metrics: Metrics): Promise<{ client: IoTDataPlaneClient; endpoint: string }> {
  const configured = clients.iotData();
  const config = configured.config as unknown as EndpointAwareConfig;
  const custom = await config.serviceConfiguredEndpoint?.();
  if (custom) return { client: configured, endpoint: custom };
  if (config.isCustomEndpoint && config.endpoint) {
    const e = await config.endpoint();
    return { client: configured, endpoint: `${e.protocol}//${e.hostname}${e.port ? `:${e.port}` : ''}${e.path}` };
  }
  configured.destroy();
  try {
    const out = await clients.iot().send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
    metrics.awsCalls.inc({ operation: 'DescribeEndpoint', outcome: 'ok' });
    const endpoint = `https://${out.endpointAddress}`;
    return { client: clients.iotData(endpoint), endpoint };
  } catch (err) {
    metrics.awsCalls.inc({ operation: 'DescribeEndpoint', outcome: 'error' });
    throw toAwsCallError('DescribeEndpoint', err);
  }
}
