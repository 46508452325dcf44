/**
 * FLEET_REDIS_MIN_REPLICAS=1 against a master + replica pair started by the test: a 202 means the intake
 * is already on the replica; with the replica down the answer is a 503 saying the replicas did not
 * acknowledge (never a 202 that a failover could take back). The API is createApp's, over real HTTP.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { RedisServerProcess } from '../../../src/devtools/redis-server-process.js';
import { Keys } from '../../../src/redis/keys.js';
import { LogCapture } from '../pipeline/support/log-capture.js';
import { testConfig } from '../pipeline/support/test-config.js';

async function linkUp(replica: Redis, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!/master_link_status:up/.test(await replica.info('replication'))) {
    if (Date.now() > until) throw new Error('replica never synced');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('API: a 202 waits for the configured Redis replicas', () => {
  let master: RedisServerProcess;
  let replica: RedisServerProcess;
  let replicaClient: Redis;
  let app: App;
  const base = testConfig({ sites: [{ id: 'plant-r', maxBatchSize: 100 }] });
  const keys = new Keys(base.keyPrefix);
  const TIMEOUT_MS = 300;

  beforeAll(async () => {
    master = await RedisServerProcess.start({ appendOnly: true });
    replica = await RedisServerProcess.start({ extraArgs: ['--replicaof', '127.0.0.1', String(master.port)] });
    replicaClient = new Redis(replica.url, { maxRetriesPerRequest: 1 });
    await linkUp(replicaClient, 10_000);
    const config = { ...base, redisUrl: master.url, ackMqttUrl: undefined, redisMinReplicas: 1, redisReplicaTimeoutMs: TIMEOUT_MS };
    app = await createApp(config, { roles: ['api'], logger: createLogger('warn', new LogCapture()), metrics: new Metrics() });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    replicaClient?.disconnect();
    await replica?.stop();
    await master?.stop();
  });

  const enroll = (deviceId: string) =>
    fetch(`${app.url}/v1/enrollments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ deviceId, siteId: 'plant-r' }] }),
    });

  it('answers 202 once the replica has the intake, 503 when the replica is down', async () => {
    const ok = await enroll('rep-1');
    expect(ok.status).toBe(202);
    // at the moment of the 202 the intake job is on the replica already
    const onReplica = await replicaClient.keys(`${keys.queuePrefix}:intake:*`);
    expect(onReplica.some((k) => /:intake:in-/.test(k))).toBe(true);

    replicaClient.disconnect();
    await replica.kill();
    const started = Date.now();
    const res = await enroll('rep-2');
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('UNAVAILABLE');
    expect(body.error.message).toContain('0 of the 1 required replicas acknowledged it within 300 ms');

    // the replica back: 202 again
    await replica.restart();
    replicaClient = new Redis(replica.url, { maxRetriesPerRequest: 1 });
    await linkUp(replicaClient, 10_000);
    expect((await enroll('rep-3')).status).toBe(202);
  });
});
