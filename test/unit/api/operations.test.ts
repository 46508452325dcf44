import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.js';
import { bearer, event, makeApi, TOKENS, type TestApi } from './fixtures.js';

/** Every route Fastify knows, rebuilt from printRoutes' tree (Fastify has no public route list). */
function registeredRoutes(tree: string): Set<string> {
  const out = new Set<string>();
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = path;
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) if (method !== 'HEAD') out.add(`${method} ${path}`);
  }
  return out;
}

describe('operations routes and the OpenAPI document', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await makeApi();
    await t.app.ready();
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('/docs/json documents every route (other than /docs itself), and nothing that is not a route', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
    const routes = [...registeredRoutes(t.app.printRoutes({ commonPrefix: false }))].filter((r) => !r.includes(' /docs'));
    expect(routes.length).toBeGreaterThanOrEqual(12);
    expect([...documented].sort()).toEqual(routes.sort());
    // the contract's routes are all there
    for (const r of [
      'POST /v1/enrollments',
      'GET /v1/devices/:deviceId',
      'GET /v1/sites/:siteId',
      'GET /v1/batches/:batchId',
      'POST /v1/batches/:batchId/retry',
      'POST /v1/acks',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
    ]) {
      expect(documented).toContain(r);
    }
    // the enrollment body is documented although Fastify does not validate it
    expect(JSON.stringify(doc.paths['/v1/enrollments'])).toContain('10000');
  });

  it('serves the OpenAPI UI at /docs without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBeLessThan(400);
  });

  it('/healthz answers without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when Redis and AWS are reachable and 503 naming which is not', async () => {
    t.services.readiness_ = { redis: true, aws: true };
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    t.services.readiness_ = { redis: false, aws: true, detail: 'redis: connect ECONNREFUSED' };
    const down = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ ready: false, redis: false, aws: true, detail: 'redis: connect ECONNREFUSED' });
    t.services.readiness = async () => {
      throw new Error('boom');
    };
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
  });

  it('/metrics refreshes the gauges, then renders Prometheus text without a token', async () => {
    await t.app.inject({ method: 'POST', url: '/v1/enrollments', headers: bearer(TOKENS.admin), payload: { events: [event(1), { x: 1 }] } });
    const before = t.services.gaugeRefreshes;
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('fleet_enrollment_rejected_total 1');
    expect(t.services.gaugeRefreshes).toBe(before + 1);
    t.services.refreshGauges = async () => {
      throw new Error('Connection is closed.');
    };
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });

  it('maps service errors: domain validation → 400 with issues, unexpected → 500 without details', async () => {
    const original = t.services.retryAllFailed.bind(t.services);
    t.services.retryAllFailed = async () => {
      throw new ValidationError([{ path: 'siteId', message: 'nope' }]);
    };
    const v = await t.app.inject({ method: 'POST', url: '/v1/retry-failed', headers: bearer(TOKENS.admin) });
    expect(v.statusCode).toBe(400);
    expect(v.json().error.issues).toEqual([{ path: 'siteId', message: 'nope' }]);
    t.services.retryAllFailed = async () => {
      throw new TypeError('cannot read x of undefined at secretThing');
    };
    const e = await t.app.inject({ method: 'POST', url: '/v1/retry-failed', headers: bearer(TOKENS.admin) });
    expect(e.statusCode).toBe(500);
    expect(e.json().error.code).toBe('INTERNAL');
    expect(e.body).not.toContain('secretThing');
    expect(e.body).not.toContain('at ');
    t.services.retryAllFailed = original;
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v2/nothing?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /v2/nothing' } });
  });

  it('answers 503 when a service call outlives the request deadline (Redis down, commands queued)', async () => {
    const slow = await makeApi(undefined, { requestDeadlineMs: 50 });
    try {
      slow.services.enroll = () => new Promise(() => undefined);
      const res = await slow.app.inject({ method: 'POST', url: '/v1/enrollments', headers: bearer(TOKENS.admin), payload: event(1) });
      expect(res.statusCode).toBe(503);
      expect(res.json().error).toEqual({ code: 'UNAVAILABLE', message: expect.stringContaining('Redis did not answer within 50 ms') });
    } finally {
      await slow.app.close();
    }
  });
});
