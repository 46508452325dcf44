/**
 * Redis goes away under the API: writes answer 503 with a clear message (never hang, never a 500), /readyz
 * says not ready, and once Redis is back the same request is accepted. A private redis-server (killed with
 * SIGKILL) so the shared one is never touched; the API is createApp's, over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { RedisServerProcess } from '../../../src/devtools/redis-server-process.js';
import { LogCapture } from '../pipeline/support/log-capture.js';
import { testConfig } from '../pipeline/support/test-config.js';

describe('API while Redis is down', () => {
  let redis: RedisServerProcess;
  let app: App;

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    const config = { ...testConfig({ sites: [{ id: 'plant-a', maxBatchSize: 100 }] }), redisUrl: redis.url, ackMqttUrl: undefined };
    app = await createApp(config, { roles: ['api'], logger: createLogger('warn', new LogCapture()), metrics: new Metrics() });
    await app.start();
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
  });

  const enroll = (deviceId: string) =>
    fetch(`${app.url}/v1/enrollments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ deviceId, siteId: 'plant-a' }] }),
    });

  it('answers 503 to writes and to /readyz, then accepts again once Redis is back', async () => {
    expect((await enroll('down-1')).status).toBe(202);

    await redis.kill();
    const res = await enroll('down-2');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('UNAVAILABLE');
    expect(body.error.message).toMatch(/Redis/);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(503);
    // liveness is not readiness: the process itself is fine
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);

    await redis.restart();
    let status = 0;
    for (let i = 0; i < 100 && status !== 202; i++) {
      status = (await enroll('down-3')).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(202);
  });
});
