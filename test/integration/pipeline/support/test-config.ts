/** A Config for one pipeline test: unique Redis prefix and topic root, fast windows and reconcile. */
import { randomBytes } from 'node:crypto';
import { testScope, topicRoot } from '../../../support/test-run.js';
import { DAY_MS, DEFAULT_RETENTION_DAYS, type ApiToken, type Config } from '../../../../src/config.js';
import { pipelinePolicy, type PipelinePolicy } from '../../../../src/config/pipeline-policy.js';
import type { NodeQuotaSetting, Site } from '../../../../src/domain/site.js';

export interface TestSite {
  readonly id: string;
  readonly maxBatchSize: number;
  readonly region?: string;
  readonly tags?: Record<string, string>;
  readonly activationTtlHours?: number;
  readonly batchWindowMs?: number;
}

export interface TestConfigOptions {
  readonly sites: readonly TestSite[];
  /** default null (unlimited); 'account' reads it from the emulator's activation tier */
  readonly nodeQuota?: NodeQuotaSetting;
  readonly maxAttempts?: number;
  readonly maxRebatches?: number;
  readonly reconcileIntervalMs?: number;
  readonly batchWindowMs?: number;
  readonly apiTokens?: readonly ApiToken[];
  readonly nodeQuotaRefreshMs?: number;
  /** finished records are deleted this long after they finished (FLEET_RETENTION_DAYS) */
  readonly retentionMs?: number;
  readonly nodeTags?: 'device' | 'none';
  /** the orchestrator's allowance for SSM's read-after-write delay (FLEET_SSM_CONSISTENCY_MS) */
  readonly readAfterWriteMs?: number;
  /** loop intervals, lease lifetimes and the like, where a test needs other than the derived defaults */
  readonly pipeline?: Partial<PipelinePolicy>;
  /** FLEET_PER_DEVICE_CALLS (default signed, as in production) */
  readonly perDeviceCalls?: 'signed' | 'sdk';
  /** FLEET_PUBLISH_TRANSPORT (default mqtt, as in production) */
  readonly publishTransport?: 'mqtt' | 'https';
}

export const MOSQUITTO_URL = process.env.FLEET_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testConfig(options: TestConfigOptions): Config {
  const run = testScope('r');
  const root = topicRoot('p');
  const sites = new Map<string, Site>(
    options.sites.map((s) => [
      s.id,
      {
        id: s.id,
        region: s.region ?? 'us-east-1',
        iamRole: 'SSMServiceRole',
        maxBatchSize: s.maxBatchSize,
        batchWindowMs: s.batchWindowMs ?? options.batchWindowMs ?? 200,
        activationTtlHours: s.activationTtlHours ?? 24,
        tags: s.tags ?? { Owner: 'factory' },
      },
    ]),
  );
  return Object.freeze({
    redisUrl: REDIS_URL,
    keyPrefix: `fleet-test-${run}`,
    awsRegion: 'us-east-1',
    sites: { sites, regions: new Map(), defaultNodeQuota: options.nodeQuota === undefined ? null : options.nodeQuota },
    apiTokens: options.apiTokens ?? [],
    secretKey: randomBytes(32),
    ackMqttUrl: MOSQUITTO_URL,
    logLevel: 'info',
    api: { host: '127.0.0.1', port: 0, bodyLimitBytes: 8 * 1024 * 1024 },
    topics: {
      credentials: `${root}/fleet/enroll/{siteId}/{thingName}/activation`,
      ack: `${root}/fleet/enroll/{siteId}/{thingName}/ack`,
    },
    retry: { maxAttempts: options.maxAttempts ?? 6, baseDelayMs: 50, maxDelayMs: 400, readAfterWriteMs: options.readAfterWriteMs ?? 50 },
    rateLimits: { ssmPerSecond: 2_000, createActivationPerSecond: 200, iotPublishPerSecond: 20_000, tagPerSecond: 2_000 },
    maxRebatches: options.maxRebatches ?? 2,
    reconcileIntervalMs: options.reconcileIntervalMs ?? 100,
    ...(options.nodeQuotaRefreshMs !== undefined ? { nodeQuotaRefreshMs: options.nodeQuotaRefreshMs } : {}),
    ...(options.retentionMs !== undefined ? { retentionMs: options.retentionMs } : {}),
    nodeTags: options.nodeTags ?? 'device',
    perDeviceCalls: options.perDeviceCalls ?? 'signed',
    publishTransport: options.publishTransport ?? 'mqtt',
    pipeline: pipelinePolicy(
      {
        batchWindowsMs: [...sites.values()].map((s) => s.batchWindowMs),
        reconcileIntervalMs: options.reconcileIntervalMs ?? 100,
        retentionMs: options.retentionMs ?? DEFAULT_RETENTION_DAYS * DAY_MS,
        tagPerSecond: 2_000,
      },
      options.pipeline,
    ),
  });
}
