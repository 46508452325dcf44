/** A Config for HTTP-layer tests, built by hand (no env, no files), and tokens with known secrets. */
import { createHash } from 'node:crypto';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { ApiToken, Config } from '../../../src/config.js';
import { pipelinePolicy } from '../../../src/config/pipeline-policy.js';
import type { Site } from '../../../src/domain/site.js';
import { DEFAULT_TOPICS } from '../../../src/domain/messages.js';

export const SITES = ['plant-a', 'plant-b', 'plant-c'] as const;

/** secret → what config keeps */
export const TOKENS = {
  admin: 'adm-0f3c9d7e5b1a2c4d6e8f',
  lineA: 'line-a-9d8c7b6a5f4e3d2c1b',
  lineB: 'line-b-1a2b3c4d5e6f7a8b9c',
  lineAll: 'line-all-5e6f7a8b9c0d1e2f',
} as const;

function token(name: string, secret: string, role: 'line' | 'admin', sites: string[]): ApiToken {
  return { name, sha256: createHash('sha256').update(secret).digest('hex'), role, sites };
}

export const API_TOKENS: readonly ApiToken[] = [
  token('ops', TOKENS.admin, 'admin', ['*']),
  token('line-a', TOKENS.lineA, 'line', ['plant-a']),
  token('line-b', TOKENS.lineB, 'line', ['plant-b']),
  token('line-all', TOKENS.lineAll, 'line', ['*']),
];

function site(id: string): Site {
  return { id, region: 'eu-central-1', iamRole: 'EdgeSSMRole', maxBatchSize: 1000, batchWindowMs: 2000, activationTtlHours: 24, tags: {} };
}

export function testConfig(overrides: { apiTokens?: readonly ApiToken[]; bodyLimitBytes?: number; host?: string } = {}): Config {
  return {
    redisUrl: 'redis://127.0.0.1:6379',
    keyPrefix: 'test',
    awsRegion: 'eu-central-1',
    sites: { sites: new Map(SITES.map((s) => [s, site(s)])), regions: new Map(), defaultNodeQuota: 1000 },
    apiTokens: overrides.apiTokens ?? API_TOKENS,
    secretKey: Buffer.alloc(32, 7),
    ackMqttUrl: undefined,
    logLevel: 'silent',
    api: { host: overrides.host ?? '127.0.0.1', port: 0, bodyLimitBytes: overrides.bodyLimitBytes ?? 8 * 1024 * 1024 },
    topics: DEFAULT_TOPICS,
    retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5000, readAfterWriteMs: 0 },
    rateLimits: { ssmPerSecond: 20, createActivationPerSecond: 5, iotPublishPerSecond: 1000, tagPerSecond: 4 },
    maxRebatches: 3,
    reconcileIntervalMs: 1000,
    nodeTags: 'device',
    perDeviceCalls: 'signed',
    publishTransport: 'mqtt',
    pipeline: pipelinePolicy({ batchWindowsMs: [2000], reconcileIntervalMs: 1000, retentionMs: 30 * 86_400_000, tagPerSecond: 4 }),
  };
}

/** A logger whose every line is kept, to search for secrets. */
export function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

export function bearer(secret: string): Record<string, string> {
  return { authorization: `Bearer ${secret}` };
}

export function event(i: number, siteId: string = 'plant-a'): Record<string, unknown> {
  return { deviceId: `SN-${String(i).padStart(6, '0')}`, siteId, attributes: { model: 'X1' } };
}

export interface TestApi {
  app: Awaited<ReturnType<typeof import('../../../src/api/app.js').buildApi>>;
  services: import('./fake-services.js').FakeServices;
  metrics: import('../../../src/adapters/metrics.js').Metrics;
  lines: string[];
}

/** buildApi() over the fake services, with a logger whose lines the test can search. */
export async function makeApi(config: Config = testConfig(), options: { requestDeadlineMs?: number } = {}): Promise<TestApi> {
  const { buildApi } = await import('../../../src/api/app.js');
  const { Metrics } = await import('../../../src/adapters/metrics.js');
  const { FakeServices } = await import('./fake-services.js');
  const { logger, lines } = capturingLogger();
  const services = new FakeServices();
  const metrics = new Metrics();
  const app = await buildApi({ config, services, metrics, logger, ...options });
  return { app, services, metrics, lines };
}
