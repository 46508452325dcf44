/**
 * AWS SDK clients, one SSM client per Region, with keep-alive agents sized for thousands of calls per second.
 * Endpoints come from the SDK's own settings (AWS_ENDPOINT_URL_SSM / _IOT / _IOT_DATA_PLANE, config file);
 * nothing here knows whether it talks to AWS or to a stand-in.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { SSMClient } from '@aws-sdk/client-ssm';

export interface AwsClientOptions {
  readonly defaultRegion: string;
  /** sockets per client; publishes run hundreds at once */
  readonly maxSockets?: number;
  readonly requestTimeoutMs?: number;
  /** PEM certificates to trust besides Node's own (AWS_CA_BUNDLE) */
  readonly caBundle?: string | undefined;
}

export class AwsClients {
  private readonly ssmByRegion = new Map<string, SSMClient>();
  private iotClient: IoTClient | undefined;
  private readonly requestHandler;

  // cacheMiddleware: the SDK resolves a command's middleware stack once per command class instead of on every
  // send (bench/README.md, "Bottlenecks found and fixed"); we add no per-command middleware
  constructor(private readonly options: AwsClientOptions) {
    const maxSockets = options.maxSockets ?? 256;
    this.requestHandler = {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets, ...(options.caBundle ? { ca: [...rootCertificates, options.caBundle] } : {}) }),
      connectionTimeout: 5_000,
      requestTimeout: options.requestTimeoutMs ?? 15_000,
    };
  }

  ssm(region: string): SSMClient {
    let client = this.ssmByRegion.get(region);
    if (!client) {
      // the SDK's retries would hide throttling from our own policy (and double-count calls): ours only
      client = new SSMClient({ region, maxAttempts: 1, requestHandler: this.requestHandler, cacheMiddleware: true });
      this.ssmByRegion.set(region, client);
    }
    return client;
  }

  iot(): IoTClient {
    this.iotClient ??= new IoTClient({ region: this.options.defaultRegion, maxAttempts: 3, requestHandler: this.requestHandler, cacheMiddleware: true });
    return this.iotClient;
  }

  /** The data-plane client, at `endpoint` when given (from DescribeEndpoint), else at the SDK's configured one. */
  iotData(endpoint?: string): IoTDataPlaneClient {
    return new IoTDataPlaneClient({
      region: this.options.defaultRegion,
      maxAttempts: 3,
      requestHandler: this.requestHandler,
      cacheMiddleware: true,
      ...(endpoint ? { endpoint } : {}),
    });
  }

  /** the keep-alive agents every client sends on (the signed publisher sends on them too) */
  get agents(): { readonly http: HttpAgent; readonly https: HttpsAgent; readonly requestTimeoutMs: number } {
    return { http: this.requestHandler.httpAgent, https: this.requestHandler.httpsAgent, requestTimeoutMs: this.requestHandler.requestTimeout };
  }

  destroy(): void {
    for (const c of this.ssmByRegion.values()) c.destroy();
    this.iotClient?.destroy();
    this.requestHandler.httpAgent.destroy();
    this.requestHandler.httpsAgent.destroy();
  }
}
