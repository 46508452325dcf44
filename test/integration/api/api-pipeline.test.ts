/**
 * The HTTP API in front of the real pipeline: createApp with every role (api included, listening on a real
 * port), real Redis under a unique prefix, the emulator in-process over HTTP through the unmodified AWS SDK,
 * Mosquitto, and the device simulator registering and acking. Requests go over real HTTP with fetch.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { statusCommandWith } from '../../../src/cli/commands/status.js';
import type { ApiToken, Config } from '../../../src/config.js';
import type { CredentialsMessage } from '../../../src/domain/messages.js';
import { parseTopic, renderTopic, topicFilter } from '../../../src/domain/topics.js';
import { DeviceSimulator } from '../../../src/device/simulator/index.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { Keys } from '../../../src/redis/keys.js';
import { LogCapture } from '../pipeline/support/log-capture.js';
import { MOSQUITTO_URL, testConfig } from '../pipeline/support/test-config.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';
import { Redis } from 'ioredis';
import { clearRetainedUnder } from '../pipeline/support/credentials-observer.js';
import { OutputCapture } from '../../support/output-capture.js';
import { redisDump } from '../../support/redis-dump.js';
import { describeLeaks, findSecrets } from '../../support/secret-search.js';

const ADMIN = 'it-admin-7c1e9b2a4d6f8e0a';
const LINE_A = 'it-line-a-3b5d7f9a1c2e4f6a';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const TOKENS: ApiToken[] = [
  { name: 'ops', sha256: sha(ADMIN), role: 'admin', sites: ['*'] },
  { name: 'line-a', sha256: sha(LINE_A), role: 'line', sites: ['plant-a'] },
];

interface Answer {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads answers loosely
}

describe('HTTP API over the real pipeline', () => {
  let config: Config;
  let emulator: RunningEmulator;
  let simulator: DeviceSimulator;
  let observer: MqttClient;
  let app: App;
  let base: string;
  const logs = new LogCapture();
  /** this process's own stdout/stderr (writes outside the logger too) */
  const output = OutputCapture.start();
  let redis: Redis;
  /** every API answer body of the run, searched for activation codes at the end */
  const answers: string[] = [];
  /** credentials messages seen on the device topics (the only place codes may appear) */
  const credentials: CredentialsMessage[] = [];

  async function call(method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (token) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    answers.push(text);
    return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : text };
  }

  async function waitFor(what: string, done: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    config = {
      ...testConfig({
        sites: [
          { id: 'plant-a', maxBatchSize: 1000 },
          { id: 'plant-b', maxBatchSize: 500 },
          { id: 'plant-c', maxBatchSize: 1000 },
        ],
        batchWindowMs: 300,
      }),
      apiTokens: TOKENS,
    };
    emulator = await startEmulator({ mqttUrl: MOSQUITTO_URL, nodeQuota: 'unlimited' });
    redis = new Redis(config.redisUrl);
    Object.assign(process.env, emulator.env);

    observer = await mqtt.connectAsync(MOSQUITTO_URL, { protocolVersion: 5, clean: true });
    observer.on('message', (topic, payload) => {
      if (payload.length === 0 || !parseTopic(config.topics.credentials, topic)) return;
      credentials.push(JSON.parse(payload.toString('utf8')) as CredentialsMessage);
    });
    await observer.subscribeAsync(topicFilter(config.topics.credentials), { qos: 1 });

    // plant-c has no simulated devices: the test registers them itself and acks over HTTP, as an IoT rule would
    simulator = new DeviceSimulator({ mqttUrl: MOSQUITTO_URL, emulatorUrl: emulator.url, sites: ['plant-a', 'plant-b'], topics: config.topics });
    await simulator.start();

    app = await createApp(config, { logger: createLogger('debug', logs), metrics: new Metrics() });
    await app.start();
    base = app.url!;
  });

  afterAll(async () => {
    output.stop();
    await app?.stop();
    await simulator?.stop();
    await observer?.endAsync();
    await emulator?.close();
    await clearRetainedUnder(MOSQUITTO_URL, config.topics.credentials);
    redis.disconnect();
    await deleteMatching(config.redisUrl, new Keys(config.keyPrefix).everything);
  });

  it('bulk enroll with invalid events mixed in: precise per-index errors, and the valid ones end registered', async () => {
    const valid = (i: number) => ({ deviceId: `api-a-${i}`, siteId: 'plant-a', thingName: `edge-api-a-${i}`, attributes: { model: 'X1' } });
    const events: unknown[] = Array.from({ length: 45 }, (_, i) => valid(i));
    const invalid: [number, unknown, string][] = [
      [5, { deviceId: 'bad id!', siteId: 'plant-a' }, 'events[5].deviceId'],
      [10, { deviceId: 'api-x-1', siteId: 'plant-zz' }, 'events[10].siteId'],
      [15, { deviceId: 'api-x-2', siteId: 'plant-a', colour: 'red' }, 'events[15].colour'],
      [20, { deviceId: 'api-x-3', siteId: 'plant-b' }, 'events[20].siteId'],
      [25, { deviceId: 'api-x-4', siteId: 'plant-a', thingName: 'bad/thing' }, 'events[25].thingName'],
    ];
    for (const [i, e] of invalid) events[i] = e;

    const res = await call('POST', '/v1/enrollments', LINE_A, { events });
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(40);
    expect(res.json.duplicates).toBe(0);
    expect(res.json.rejected.map((r: { index: number }) => r.index)).toEqual(invalid.map(([i]) => i));
    for (const [k, [i, , path]] of invalid.entries()) {
      const r = res.json.rejected[k];
      expect(r.index).toBe(i);
      expect(r.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    }
    expect(res.json.rejected[3].errors[0].message).toBe('this token may not enroll devices for site "plant-b"');
    expect(res.json.rejected[1].deviceId).toBe('api-x-1');

    await waitFor('40 plant-a devices registered', async () => (await call('GET', '/v1/sites/plant-a', LINE_A)).json.counts?.registered === 40);
    const device = await call('GET', '/v1/devices/api-a-0', LINE_A);
    expect(device.status).toBe(200);
    expect(device.json).toMatchObject({ deviceId: 'api-a-0', siteId: 'plant-a', thingName: 'edge-api-a-0', state: 'registered', error: null });
    expect(device.json.managedNodeId).toMatch(/^mi-[0-9a-f]{17}$/);
    expect(device.json.activationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const batch = await call('GET', `/v1/batches/${device.json.batchId}`, LINE_A);
    expect(batch.status).toBe(200);
    expect(batch.json).toMatchObject({ batchId: device.json.batchId, siteId: 'plant-a', size: 40 });

    // the rejected ones were never enrolled: an admin sees no such device
    for (const id of ['api-x-1', 'api-x-2', 'api-x-3', 'api-x-4']) expect((await call('GET', `/v1/devices/${id}`, ADMIN)).status).toBe(404);

    // `fleet-enroll status` reads the same over real HTTP
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        out += chunk.toString();
        done();
      },
    });
    const code = await statusCommandWith().run(['--site', 'plant-a', '--json', '--api', base, '--token', LINE_A], { stdout: sink, stderr: sink });
    expect(code).toBe(0);
    expect(JSON.parse(out).counts.registered).toBe(40);
  });

  it('answers 401 without a token, 403 for another site or a line token retrying', async () => {
    const noToken = await call('POST', '/v1/enrollments', undefined, { deviceId: 'api-n-1', siteId: 'plant-a' });
    expect(noToken.status).toBe(401);
    expect(noToken.json.error.code).toBe('UNAUTHORIZED');
    expect((await call('POST', '/v1/enrollments', 'wrong-token', { deviceId: 'api-n-1', siteId: 'plant-a' })).status).toBe(401);

    const foreign = await call('POST', '/v1/enrollments', LINE_A, { events: [{ deviceId: 'api-b-1', siteId: 'plant-b' }] });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.message).toBe('this token may not enroll devices for site "plant-b"');
    expect((await call('GET', '/v1/devices/api-b-1', ADMIN)).status).toBe(404);
    expect((await call('GET', '/v1/sites/plant-b', LINE_A)).status).toBe(403);

    expect((await call('POST', '/v1/retry-failed', LINE_A)).status).toBe(403);
    const retried = await call('POST', '/v1/retry-failed', ADMIN);
    expect(retried.status).toBe(202);
    expect(retried.json).toEqual({ batches: expect.any(Number), devices: expect.any(Number) });
  });

  it('takes device acks forwarded over HTTP (IoT rule style) and counts a forged one as stale', async () => {
    const ids = ['api-c-0', 'api-c-1', 'api-c-2'];
    const res = await call('POST', '/v1/enrollments', ADMIN, { events: ids.map((deviceId) => ({ deviceId, siteId: 'plant-c' })) });
    expect(res.json).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    await waitFor('plant-c credentials', async () => credentials.filter((m) => m.siteId === 'plant-c').length >= 3);

    for (const m of credentials.filter((c) => c.siteId === 'plant-c')) {
      const reg = await fetch(`${emulator.url}/emulator/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ activationId: m.activationId, activationCode: m.activationCode, hostname: m.deviceId }),
      });
      expect(reg.status).toBe(200);
      const { managedNodeId } = (await reg.json()) as { managedNodeId: string };
      const topic = renderTopic(config.topics.ack, { siteId: 'plant-c', thingName: m.deviceId });
      const ack = { v: 1, deliveryId: m.deliveryId, activationId: m.activationId, status: 'registered', managedNodeId };
      // a line token of another site may not ack for plant-c
      expect((await call('POST', '/v1/acks', LINE_A, { ...ack, topic })).status).toBe(403);
      const answer = await call('POST', '/v1/acks', ADMIN, { ...ack, topic, timestamp: Date.now() });
      expect(answer.status).toBe(202);
      expect(answer.json).toEqual({ result: 'accepted' });
    }
    const forged = await call('POST', '/v1/acks', ADMIN, {
      v: 1,
      deliveryId: 'not-a-delivery',
      activationId: '00000000-0000-0000-0000-000000000000',
      status: 'failed',
      error: 'x',
    });
    expect(forged.status).toBe(202);
    expect(forged.json).toEqual({ result: 'stale' });
    const bad = await call('POST', '/v1/acks', ADMIN, { v: 1, deliveryId: 'x', status: 'registered' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['activationId', 'managedNodeId']);

    await waitFor('plant-c registered', async () => (await call('GET', '/v1/sites/plant-c', ADMIN)).json.counts?.registered === 3);
  });

  it('keeps every activation code out of API answers, /metrics, /docs, the logs and Redis; /readyz is ready', async () => {
    // devices of its own, so the test stands alone
    const ids = ['api-s-0', 'api-s-1', 'api-s-2', 'api-s-3'];
    const res = await call('POST', '/v1/enrollments', ADMIN, { events: ids.map((deviceId) => ({ deviceId, siteId: 'plant-b' })) });
    expect(res.json).toMatchObject({ accepted: 4, duplicates: 0 });
    await waitFor('plant-b devices registered', async () => {
      const states = await Promise.all(ids.map(async (id) => (await call('GET', `/v1/devices/${id}`, ADMIN)).json.state));
      return states.every((s) => s === 'registered');
    });

    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ ready: true, redis: true, aws: true });
    let registered = 0;
    for (const site of ['plant-a', 'plant-b', 'plant-c']) registered += (await call('GET', `/v1/sites/${site}`, ADMIN)).json.counts.registered as number;
    const metrics = await call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.json).toContain(`fleet_devices{state="registered"} ${registered}`);
    expect(metrics.json).toMatch(/fleet_enrollment_rejected_total \d+/);
    expect((await call('GET', '/docs/json')).status).toBe(200);
    for (const id of [...ids, 'api-a-1', 'api-c-1']) await call('GET', `/v1/devices/${id}`, ADMIN);
    await call('GET', '/v1/sites', ADMIN);

    // every code the emulator issued (not only those delivered), in clear or encoded
    const codes = emulator.issuedCodes();
    expect(codes.length).toBeGreaterThanOrEqual(1);
    expect(credentials.some((m) => codes.includes(m.activationCode))).toBe(true);
    const haystacks = [
      { where: 'API answers', text: answers.join('\n') },
      { where: 'logs', text: logs.text },
      { where: 'stdout/stderr', text: output.text },
      { where: 'redis', text: await redisDump(redis, new Keys(config.keyPrefix).everything) },
    ];
    expect(logs.text.length).toBeGreaterThan(0);
    expect(describeLeaks(findSecrets(codes, haystacks))).toEqual([]);
    for (const token of [ADMIN, LINE_A]) expect(logs.text.includes(token)).toBe(false);
  });
});
