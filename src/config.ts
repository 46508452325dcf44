/**
 * The one validated, typed, frozen configuration, and the only reader of process.env.
 * (Types fixed here first so every part can build against them; loadConfig is filled in by issue 2.)
 */
import type { SitesConfig } from './domain/site.js';
import type { TopicTemplates } from './domain/messages.js';

export type ApiRole = 'line' | 'admin';

export interface ApiToken {
  /** a label for logs; never the token */
  readonly name: string;
  /** sha256 of the token, hex: the token itself is not kept in memory longer than loading */
  readonly sha256: string;
  readonly role: ApiRole;
  /** site ids, or ['*'] for all */
  readonly sites: readonly string[];
}

export interface RetryPolicy {
  /** attempts of CreateActivation per batch before it fails (throttling does not use attempts) */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface RateLimits {
  /** global (all processes) SSM calls per second */
  readonly ssmPerSecond: number;
  /** of which CreateActivation per second */
  readonly createActivationPerSecond: number;
  /** IoT data-plane Publish per second */
  readonly iotPublishPerSecond: number;
}

export interface Config {
  readonly redisUrl: string;
  /** Redis keys live under `{keyPrefix}:` */
  readonly keyPrefix: string;
  readonly awsRegion: string;
  readonly sites: SitesConfig;
  readonly apiTokens: readonly ApiToken[];
  /** 32 bytes, AES-256-GCM key for activation codes kept for redelivery */
  readonly secretKey: Buffer;
  readonly ackMqttUrl: string | undefined;
  readonly logLevel: string;
  readonly api: { readonly host: string; readonly port: number; readonly bodyLimitBytes: number };
  readonly topics: TopicTemplates;
  readonly retry: RetryPolicy;
  readonly rateLimits: RateLimits;
  /** how often an expired batch's unregistered devices are re-batched before they fail */
  readonly maxRebatches: number;
  readonly reconcileIntervalMs: number;
}
