/**
 * The orchestrator's config for a demo or benchmark run, built the same way in every process of the run
 * (the worker roles may run in a child process: it rebuilds this from the same plain inputs).
 */
import { loadConfig, type Config } from '../../config.js';
import { demoSites, sitesConfig, type DemoSite } from './demo-sites.js';

export interface DemoConfigInput {
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly region: string;
  readonly devices: number;
  readonly sites: number;
  readonly maxBatchSize?: number;
  readonly batchWindowMs?: number;
  readonly ackMqttUrl: string;
  readonly logLevel: string;
  readonly createActivationPerSecond: number;
  /** hex; every process of the run seals and opens codes with the same key */
  readonly secretKeyHex: string;
  /** devices delivered this long ago without an ack get their credentials again (the pipeline policy's default otherwise) */
  readonly redeliverAfterMs?: number;
  /** keep the default AWS budgets (the bench's `budget` scenario) instead of the demo's generous ones */
  readonly defaultBudgets?: boolean;
}

export function demoConfig(input: DemoConfigInput): { config: Config; sites: DemoSite[] } {
  const sites = demoSites({
    devices: input.devices,
    sites: input.sites,
    region: input.region,
    ...(input.maxBatchSize ? { maxBatchSize: input.maxBatchSize } : {}),
    ...(input.batchWindowMs ? { batchWindowMs: input.batchWindowMs } : {}),
  });
  const config = loadConfig({
    overrides: {
      redisUrl: input.redisUrl,
      keyPrefix: input.keyPrefix,
      awsRegion: input.region,
      sites: sitesConfig(sites),
      apiTokens: [],
      ackMqttUrl: input.ackMqttUrl,
      logLevel: input.logLevel,
      api: { host: '127.0.0.1', port: 0 },
      reconcileIntervalMs: 250,
      secretKey: Buffer.from(input.secretKeyHex, 'hex'),
      // the emulator has no account-level limits unless faults set a TPS cap: the limiter should not be the bottleneck
      ...(input.defaultBudgets ? {} : { rateLimits: { ssmPerSecond: 20_000, iotPublishPerSecond: 20_000, createActivationPerSecond: input.createActivationPerSecond } }),
      pipeline: { redeliverAfterMs: input.redeliverAfterMs },
    },
  });
  return { config, sites };
}
