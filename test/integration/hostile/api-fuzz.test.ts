/**
 * Hostile input against the real API (createApp's api role, real Redis, the emulator for readiness), over
 * real HTTP: property-based bodies (arbitrary JSON, wrong types, unicode), arbitrary path parameters,
 * arbitrary bytes under every content type, invalid UTF-8, deep nesting (10,000 and 100,000 levels), bodies
 * over the limit (with and without Content-Length). Never a 5xx, every error in the API's JSON shape, and
 * the process still ready afterwards.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { Keys } from '../../../src/redis/keys.js';
import { LogCapture } from '../pipeline/support/log-capture.js';
import { MOSQUITTO_URL, REDIS_URL, testConfig } from '../pipeline/support/test-config.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';

const BODY_LIMIT = 64 * 1024;
const POST_ROUTES = ['/v1/enrollments', '/v1/acks', '/v1/batches/b-1/retry', '/v1/sites/fz-a/retry', '/v1/retry-failed'];
const GET_ROUTES = ['/v1/devices/', '/v1/sites/', '/v1/batches/'];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/xml',
  '',
  ';;;',
  'application/json\u00ff',
];

interface Answer {
  status: number;
  body: string;
}

describe('hostile input: every API route', () => {
  let emulator: RunningEmulator;
  let app: App;
  let base: string;
  let redis: Redis;
  let keys: Keys;
  const logs = new LogCapture();

  beforeAll(async () => {
    emulator = await startEmulator({ mqttUrl: MOSQUITTO_URL });
    Object.assign(process.env, emulator.env);
    const config = testConfig({ sites: [{ id: 'fz-a', maxBatchSize: 100 }, { id: 'fz-b', maxBatchSize: 10 }] });
    const fuzzConfig = { ...config, ackMqttUrl: undefined, api: { ...config.api, bodyLimitBytes: BODY_LIMIT } };
    app = await createApp(fuzzConfig, { roles: ['api'], logger: createLogger('info', logs), metrics: new Metrics() });
    await app.start();
    base = app.url!;
    redis = new Redis(config.redisUrl);
    keys = new Keys(config.keyPrefix);
  });

  afterAll(async () => {
    await app?.stop();
    await emulator?.close();
    if (redis) {
      await deleteMatching(REDIS_URL, keys.everything);
      await redis.quit();
    }
  });

  /** a raw HTTP request: any bytes, any headers, Content-Length or chunked */
  function send(method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}, chunked = false): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const url = new URL(base);
      const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // the server may answer 413 and close before reading a huge body: the answer already came
        if (err.code === 'EPIPE' || err.code === 'ECONNRESET') resolve({ status: -1, body: err.code });
        else reject(err);
      });
      if (body !== undefined && !chunked && !('content-length' in headers)) req.setHeader('content-length', Buffer.byteLength(body));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  function expectHandled(a: Answer, what: string): void {
    expect(a.status, `${what} → ${a.status} ${a.body.slice(0, 200)}`).toBeGreaterThanOrEqual(200);
    expect(a.status, `${what} → ${a.status} ${a.body.slice(0, 200)}`).toBeLessThan(500);
    if (a.status >= 400) {
      const parsed = JSON.parse(a.body) as { error?: { code?: unknown; message?: unknown } };
      expect(typeof parsed.error?.code, `${what} → ${a.body.slice(0, 300)}`).toBe('string');
      expect(typeof parsed.error?.message, `${what} → ${a.body.slice(0, 300)}`).toBe('string');
    }
  }

  async function stillReady(): Promise<void> {
    expect((await send('GET', '/healthz')).status).toBe(200);
    expect((await send('GET', '/readyz')).status).toBe(200);
  }

  it('arbitrary JSON to every POST route: never a 5xx', async () => {
    const event = fc.record(
      {
        deviceId: fc.oneof(fc.string({ unit: 'binary' }), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,130}$/), fc.jsonValue()),
        siteId: fc.oneof(fc.constantFrom('fz-a', 'fz-b', 'nope', ''), fc.jsonValue()),
        thingName: fc.oneof(fc.string({ unit: 'grapheme' }), fc.jsonValue()),
        attributes: fc.oneof(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()), fc.jsonValue()),
        reenroll: fc.jsonValue(),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const ack = fc.record(
      {
        v: fc.oneof(fc.constant(1), fc.jsonValue()),
        deliveryId: fc.oneof(fc.string({ unit: 'binary' }), fc.constant('b-1.0.n'), fc.jsonValue()),
        activationId: fc.oneof(fc.uuid(), fc.jsonValue()),
        status: fc.oneof(fc.constantFrom('registered', 'failed'), fc.jsonValue()),
        managedNodeId: fc.oneof(fc.stringMatching(/^mi-[0-9a-f]{17}$/), fc.jsonValue()),
        error: fc.jsonValue(),
        topic: fc.oneof(fc.string({ unit: 'binary' }), fc.jsonValue()),
        siteId: fc.jsonValue(),
        thingName: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }),
      event,
      fc.record({ events: fc.oneof(fc.array(fc.oneof(event, fc.jsonValue()), { maxLength: 20 }), fc.jsonValue()) }),
      ack,
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_ROUTES), body, async (route, value) => {
        const text = JSON.stringify(value) ?? 'null';
        expectHandled(await send('POST', route, text, { 'content-type': 'application/json' }), `POST ${route} ${text.slice(0, 120)}`);
      }),
      { numRuns: 400 },
    );
    await stillReady();
  });

  it('arbitrary path parameters and query strings on every read route: never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...GET_ROUTES, '/v1/batches/', '/v1/sites/'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 50 }),
        async (route, param, query) => {
          const path = `${route}${encodeURIComponent(param)}?${encodeURIComponent(query)}=${encodeURIComponent(param)}`;
          expectHandled(await send('GET', path), `GET ${path.slice(0, 120)}`);
          expectHandled(await send('POST', `/v1/batches/${encodeURIComponent(param)}/retry`), `retry ${param.slice(0, 60)}`);
        },
      ),
      { numRuns: 200 },
    );
    // raw bytes fetch() would refuse to send: malformed percent-encoding, a path of 16 KB. Fastify's router
    // refuses a malformed URL or a parameter over 100 characters itself (FST_ERR_BAD_URL /
    // FST_ERR_MAX_PARAM_LENGTH), answered in the API's error shape through frameworkErrors
    for (const path of ['/v1/devices/%', '/v1/devices/%E0%A4%A', '/v1/devices/%00', '/v1/sites/%FF%FE', `/v1/devices/${'a'.repeat(16_000)}`, '/v1/devices/..%2F..%2Fetc']) {
      expectHandled(await send('GET', path), `GET ${path.slice(0, 60)}`);
    }
    await stillReady();
  });

  it('arbitrary bytes under every content type, invalid UTF-8, empty bodies: never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_ROUTES), fc.constantFrom(...CONTENT_TYPES), fc.uint8Array({ maxLength: 2_000 }), async (route, type, bytes) => {
        const headers: Record<string, string> = type === '' ? {} : { 'content-type': type };
        expectHandled(await send('POST', route, Buffer.from(bytes), headers), `POST ${route} as ${type} (${bytes.length} bytes)`);
      }),
      { numRuns: 300 },
    );
    const invalidUtf8 = Buffer.concat([Buffer.from('{"events":[{"deviceId":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('","siteId":"fz-a"}]}')]);
    for (const route of POST_ROUTES) {
      expectHandled(await send('POST', route, invalidUtf8, { 'content-type': 'application/json' }), `invalid UTF-8 to ${route}`);
      expectHandled(await send('POST', route, '', { 'content-type': 'application/json' }), `empty body to ${route}`);
      expectHandled(await send('POST', route), `no body to ${route}`);
      // JSON with a UTF-8 BOM, a lone surrogate, __proto__, duplicate keys, huge numbers
      for (const text of ['\ufeff{"deviceId":"x","siteId":"fz-a"}', '{"deviceId":"\\ud800","siteId":"fz-a"}', '{"__proto__":{"admin":true},"deviceId":"p","siteId":"fz-a"}', '{"deviceId":"a","deviceId":"b","siteId":"fz-a"}', '{"deviceId":1e400,"siteId":"fz-a"}']) {
        expectHandled(await send('POST', route, text, { 'content-type': 'application/json' }), `${text} to ${route}`);
      }
    }
    expect((await send('POST', '/v1/enrollments', '{"deviceId":"x","siteId":"fz-a"}', { 'content-type': 'application/xml' })).status).toBe(415);
    await stillReady();
  });

  it('deep nesting (10,000 and 100,000 levels) as the body and inside an event: never a 5xx', async () => {
    for (const depth of [10_000, 100_000]) {
      const nested = '['.repeat(depth) + ']'.repeat(depth);
      const nestedObject = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      for (const route of POST_ROUTES) {
        for (const text of [nested, nestedObject, `{"events":[{"deviceId":"deep","siteId":"fz-a","attributes":{"x":${nested}}}]}`, `{"deviceId":"deep","siteId":"fz-a","attributes":${nestedObject}}`]) {
          if (text.length > BODY_LIMIT) {
            expect((await send('POST', route, text, { 'content-type': 'application/json' })).status).toBe(413);
          } else {
            expectHandled(await send('POST', route, text, { 'content-type': 'application/json' }), `depth ${depth} to ${route}`);
          }
        }
      }
    }
    await stillReady();
  });

  it('oversized requests: 413 with the limit named, with or without Content-Length', async () => {
    const big = JSON.stringify({ events: Array.from({ length: 2_000 }, (_, i) => ({ deviceId: `big-${i}`, siteId: 'fz-a', attributes: { pad: 'x'.repeat(40) } })) });
    expect(big.length).toBeGreaterThan(BODY_LIMIT);
    for (const route of POST_ROUTES) {
      const declared = await send('POST', route, big, { 'content-type': 'application/json' });
      expect(declared.status).toBe(413);
      expect(JSON.parse(declared.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
      expect(declared.body).toContain(String(BODY_LIMIT));
      const chunked = await send('POST', route, big, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, true);
      expect([413, -1]).toContain(chunked.status);
    }
    // a Content-Length shorter than the body: the rest is a malformed next request, refused by Node's parser (400)
    const lying = await send('POST', '/v1/enrollments', '{"deviceId":"x","siteId":"fz-a"}', { 'content-type': 'application/json', 'content-length': '5' });
    expect(lying.status).toBe(400);
    // 10,001 events: refused with the field named, not a 5xx
    const many = JSON.stringify({ events: Array.from({ length: 10_001 }, () => 0) });
    const answer = await send('POST', '/v1/enrollments', many, { 'content-type': 'application/json' });
    expectHandled(answer, '10,001 events');
    expect(answer.status).toBe(400);
    await stillReady();
  });

  // over everything the tests above sent (this process runs only the api role: it never sees an activation code)
  afterAll(() => {
    expect(logs.text.length, 'the API logged nothing: the check below would be empty').toBeGreaterThan(0);
    expect(logs.text, 'a 5xx in the log').not.toMatch(/"statusCode":5\d\d/);
    expect(logs.text, 'a stack trace in the log').not.toMatch(/at .*\.ts:\d+:\d+/);
  });
});
