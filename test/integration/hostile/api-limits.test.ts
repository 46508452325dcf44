/**
 * The API's socket bounds and edge answers, over real sockets against createApp's api role (real Redis,
 * the emulator for readiness): a request whose headers or body never finish is answered 408 and closed;
 * connections over the bound are closed at once; Node-level 400 / 431 answers come in the API's error
 * shape; a text/plain body is a 415; a 128-character device id can be read back and `.` / `..` looked
 * up; a `__proto__` or `constructor` key rejects only its event; query-string secrets never reach a log line.
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../src/cli/api-client.js';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { Keys } from '../../../src/redis/keys.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';
import { LogCapture } from '../pipeline/support/log-capture.js';
import { MOSQUITTO_URL, REDIS_URL, testConfig } from '../pipeline/support/test-config.js';

const ADMIN = 'lim-admin-3e5a7c9b1d2f4a6c';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const MAX_CONNECTIONS = 4;

/** Writes raw bytes and collects what comes back until the server closes the socket. */
function raw(port: number, bytes: string): { socket: Socket; done: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  const done = new Promise<string>((resolve) => {
    const parts: Buffer[] = [];
    socket.on('data', (d) => parts.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
  socket.write(bytes);
  return { socket, done };
}

const errorShape = (answer: string): unknown => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));

describe('API limits and edge answers', () => {
  let emulator: RunningEmulator;
  let app: App;
  let port: number;
  let keyPrefix: string;
  const logs = new LogCapture();
  const call = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${app.url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, ...(init.headers as Record<string, string>) } });

  beforeAll(async () => {
    emulator = await startEmulator({ mqttUrl: MOSQUITTO_URL });
    Object.assign(process.env, emulator.env);
    const config = { ...testConfig({ sites: [{ id: 'lim-a', maxBatchSize: 10 }], apiTokens: [{ name: 'ops', sha256: sha(ADMIN), role: 'admin', sites: ['*'] }] }), ackMqttUrl: undefined };
    keyPrefix = config.keyPrefix;
    app = await createApp(config, {
      roles: ['api'],
      logger: createLogger('debug', logs),
      metrics: new Metrics(),
      apiLimits: { requestTimeoutMs: 600, headersTimeoutMs: 400, maxConnections: MAX_CONNECTIONS },
    });
    await app.start();
    port = Number(new URL(app.url!).port);
  });
  afterAll(async () => {
    await app?.stop();
    await emulator?.close();
    await deleteMatching(REDIS_URL, new Keys(keyPrefix).everything);
  });

  it('answers 408 and closes a request whose body never finishes, and one whose headers never do', async () => {
    const body = raw(
      port,
      `POST /v1/enrollments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN}\r\nContent-Type: application/json\r\n` +
        'Transfer-Encoding: chunked\r\n\r\n5\r\n{"dev\r\n',
    );
    const headers = raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const [a, b] = await Promise.all([body.done, headers.done]);
    for (const answer of [a, b]) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(errorShape(answer)).toEqual({ error: { code: 'REQUEST_TIMEOUT', message: 'the request did not arrive in time' } });
    }
  });

  it(`closes connections over the bound of ${MAX_CONNECTIONS} at once, and serves again when one goes`, async () => {
    const idle = Array.from({ length: MAX_CONNECTIONS }, () => raw(port, ''));
    await Promise.all(idle.map((c) => new Promise((r) => c.socket.once('connect', r))));
    await new Promise((r) => setTimeout(r, 50));
    const over = raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await over.done).toBe('');
    idle[0]!.socket.destroy();
    await idle[0]!.done;
    await new Promise((r) => setTimeout(r, 50));
    const after = raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await after.done).toMatch(/^HTTP\/1\.1 200 /);
    for (const c of idle) c.socket.destroy();
    await Promise.all(idle.map((c) => c.done));
  });

  it('answers Node-level 400 and 431 in the API error shape', async () => {
    const garbage = await raw(port, 'NOT HTTP AT ALL\r\n\r\n').done;
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(errorShape(garbage)).toEqual({ error: { code: 'BAD_REQUEST', message: 'malformed HTTP request' } });
    const big = await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`).done;
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(errorShape(big)).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: 'request headers are larger than the server accepts' } });
  });

  it('answers a text/plain body with 415', async () => {
    const res = await call('/v1/enrollments', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"deviceId":"SN-1","siteId":"lim-a"}' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('reads back a 128-character device id, and looks up "." and ".." as ids', async () => {
    const long = `D${'x'.repeat(127)}`;
    const enrolled = await call('/v1/enrollments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deviceId: long, siteId: 'lim-a' }) });
    expect(enrolled.status).toBe(202);
    // the intake role is not running here: the read answers 404 (not yet recorded), never 414
    const res = await call(`/v1/devices/${long}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: `device "${long}" not found` } });
    // fetch would resolve them as path segments (also when percent-encoded): sent as written
    for (const [id, segment] of [['.', '%2E'], ['..', '%2E%2E']] as const) {
      const answer = await raw(port, `GET /v1/devices/${segment} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN}\r\nConnection: close\r\n\r\n`).done;
      expect(answer).toMatch(/^HTTP\/1\.1 404 /);
      expect(errorShape(answer)).toEqual({ error: { code: 'NOT_FOUND', message: `device "${id}" not found` } });
      // the CLI's client sends them the same way
      await expect(new ApiClient(app.url!, ADMIN).device(id)).rejects.toThrow(`device "${id}" not found`);
    }
  });

  it('rejects only the event holding a __proto__ or constructor key, with its path', async () => {
    const body = '{"events":[{"deviceId":"P-1","siteId":"lim-a"},{"deviceId":"P-2","siteId":"lim-a","__proto__":{"x":1}},' +
      '{"deviceId":"P-3","siteId":"lim-a","constructor":{"prototype":{"x":1}}},{"deviceId":"P-4","siteId":"lim-a"}]}';
    const res = await call('/v1/enrollments', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [
        { index: 1, deviceId: 'P-2', errors: [{ path: 'events[1].__proto__', message: 'unknown field' }] },
        { index: 2, deviceId: 'P-3', errors: [{ path: 'events[2].constructor', message: 'unknown field' }] },
      ],
    });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('never writes a query-string secret to a log line', async () => {
    const secrets = ['QS-SECRET-token-1', 'QS-SECRET-access-2', 'QS-SECRET-other-3', 'QS-SECRET-bad-4'];
    await fetch(`${app.url}/v1/sites?token=${secrets[0]}`);
    await fetch(`${app.url}/v1/sites/lim-a?x=1&access_token=${secrets[1]}`);
    await fetch(`${app.url}/no/such/route?api_key=${secrets[2]}`);
    await fetch(`${app.url}/v1/devices/%E0%A4%A?token=${secrets[3]}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(logs.text).toContain('token=[redacted]');
    for (const s of secrets) expect(logs.text).not.toContain(s);
  });

  it('rejects the second of two devices sharing a thingName, by its index, next to an invalid event', async () => {
    const body = { events: [{ deviceId: 'T 1', siteId: 'lim-a' }, { deviceId: 'T-1', siteId: 'lim-a', thingName: 'shared' }, { deviceId: 'T-2', siteId: 'lim-a', thingName: 'shared' }] };
    const res = await call('/v1/enrollments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = (await res.json()) as { accepted: number; rejected: { index: number; errors: { path: string; message: string }[] }[] };
    expect(answer.accepted).toBe(1);
    expect(answer.rejected.map((r) => [r.index, r.errors[0]!.path])).toEqual([
      [0, 'events[0].deviceId'],
      [2, 'events[2].thingName'],
    ]);
    expect(answer.rejected[1]!.errors[0]!.message).toMatch(/"shared" is the thing name of another device in flight at site "lim-a"/);
  });
});
