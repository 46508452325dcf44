import { createHash, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../src/api/auth/token-authenticator.js';
import { ApiError } from '../../../src/api/api-error.js';
import { API_TOKENS, bearer, event, makeApi, testConfig, TOKENS, type TestApi } from './fixtures.js';

describe('TokenAuthenticator', () => {
  it('compares with crypto.timingSafeEqual by default', () => {
    expect(new TokenAuthenticator(API_TOKENS).compare).toBe(timingSafeEqual);
  });

  it('compares the presented digest with every configured digest, also after a match (no early exit)', () => {
    const calls: [Buffer, Buffer][] = [];
    const auth = new TokenAuthenticator(API_TOKENS, (a, b) => {
      calls.push([a, b]);
      return timingSafeEqual(a, b);
    });
    const digest = createHash('sha256').update(TOKENS.admin).digest();
    // the admin token is the first configured: the others are still compared
    expect(auth.authenticate(`Bearer ${TOKENS.admin}`).name).toBe('ops');
    expect(calls).toHaveLength(API_TOKENS.length);
    for (const [, presented] of calls) expect(presented.equals(digest)).toBe(true);
    // the token itself never reaches the comparison, only its digest
    for (const [a, b] of calls) expect(a.length === 32 && b.length === 32).toBe(true);

    calls.length = 0;
    expect(() => auth.authenticate('Bearer not-a-token')).toThrow(ApiError);
    expect(calls).toHaveLength(API_TOKENS.length);
  });

  it.each([
    [undefined, 'missing Authorization header'],
    ['', 'missing Authorization header'],
    ['Basic abc', 'must be "Bearer <token>"'],
    ['Bearer', 'must be "Bearer <token>"'],
    ['Bearer a b', 'must be "Bearer <token>"'],
    ['Bearer wrong-token', 'invalid token'],
  ])('refuses header %j with 401 (%s)', (header, message) => {
    const auth = new TokenAuthenticator(API_TOKENS);
    try {
      auth.authenticate(header);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).statusCode).toBe(401);
      expect((err as ApiError).message).toContain(message);
    }
  });

  it('maps a token to its role and sites; the scheme is case-insensitive', () => {
    const auth = new TokenAuthenticator(API_TOKENS);
    const line = auth.authenticate(`bearer ${TOKENS.lineA}`);
    expect(line.role).toBe('line');
    expect(line.allowsSite('plant-a')).toBe(true);
    expect(line.allowsSite('plant-b')).toBe(false);
    expect(auth.authenticate(`Bearer ${TOKENS.lineAll}`).allowsSite('anything')).toBe(true);
  });

  it('is open (an admin of every site) when no tokens are configured', () => {
    const auth = new TokenAuthenticator([]);
    expect(auth.open).toBe(true);
    const p = auth.authenticate(undefined);
    expect(p.isAdmin && p.allSites).toBe(true);
  });
});

describe('auth over HTTP', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await makeApi();
    t.services.devices.set('SN-B1', {
      deviceId: 'SN-B1',
      siteId: 'plant-b',
      thingName: 'SN-B1',
      state: 'delivered',
      batchId: 'plant-b-x-1',
      activationId: '8a1f7e1b-1111-2222-3333-444455556666',
      managedNodeId: null,
      rebatches: 0,
      timestamps: { accepted: '2026-01-01T00:00:00.000Z' },
      updatedAt: '2026-01-01T00:00:01.000Z',
      error: null,
    });
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('answers 401 without a token and with a wrong one, on every authenticated route', async () => {
    const routes = [
      ['POST', '/v1/enrollments'],
      ['GET', '/v1/devices/SN-1'],
      ['GET', '/v1/sites'],
      ['GET', '/v1/sites/plant-a'],
      ['GET', '/v1/batches/b-1'],
      ['POST', '/v1/batches/b-1/retry'],
      ['POST', '/v1/sites/plant-a/retry'],
      ['POST', '/v1/retry-failed'],
      ['POST', '/v1/acks'],
    ] as const;
    for (const [method, url] of routes) {
      for (const headers of [{}, bearer('wrong-token-value')]) {
        const res = await t.app.inject({ method, url, headers, payload: method === 'POST' ? {} : undefined });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.json().error.code).toBe('UNAUTHORIZED');
      }
    }
  });

  it('never echoes a presented token in an answer or a log line', async () => {
    const secret = 'sup3r-s3cret-t0ken-XYZ';
    const answers = [
      await t.app.inject({ method: 'GET', url: '/v1/sites/plant-a', headers: bearer(secret) }),
      await t.app.inject({ method: 'GET', url: '/v1/sites/plant-a', headers: { authorization: secret } }),
      await t.app.inject({ method: 'POST', url: '/v1/retry-failed', headers: bearer(TOKENS.lineA) }),
      await t.app.inject({ method: 'GET', url: '/v1/sites/plant-b', headers: bearer(TOKENS.lineA) }),
      await t.app.inject({ method: 'POST', url: '/v1/enrollments', headers: bearer(TOKENS.lineA), payload: event(1, 'plant-b') }),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      const everything = res.body + JSON.stringify(res.headers);
      for (const s of [secret, ...Object.values(TOKENS)]) expect(everything).not.toContain(s);
    }
    const log = t.lines.join('');
    for (const s of [secret, ...Object.values(TOKENS)]) expect(log).not.toContain(s);
  });

  it('answers 403 to a line token reading another site', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/sites/plant-b', headers: bearer(TOKENS.lineA) });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toEqual({ code: 'FORBIDDEN', message: 'this token may not read site "plant-b"' });
    expect((await t.app.inject({ method: 'GET', url: '/v1/sites/plant-b', headers: bearer(TOKENS.lineB) })).statusCode).toBe(200);
  });

  it('answers a line token asking for another site’s device exactly as for an unknown device (404)', async () => {
    const foreign = await t.app.inject({ method: 'GET', url: '/v1/devices/SN-B1', headers: bearer(TOKENS.lineA) });
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/devices/SN-NONE', headers: bearer(TOKENS.lineA) });
    expect(foreign.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(foreign.json().error.message).toBe('device "SN-B1" not found');
    expect(unknown.json().error.message).toBe('device "SN-NONE" not found');
    const own = await t.app.inject({ method: 'GET', url: '/v1/devices/SN-B1', headers: bearer(TOKENS.lineB) });
    expect(own.statusCode).toBe(200);
    expect(own.json().state).toBe('delivered');
  });

  it('lets only admin tokens retry; line tokens get 403 and nothing is re-driven', async () => {
    t.services.batches.set('plant-a-1', {
      batchId: 'plant-a-1',
      siteId: 'plant-a',
      region: 'eu-central-1',
      state: 'failed',
      blockedReason: null,
      size: 4,
      activationId: null,
      expiresAt: null,
      attempts: 5,
      strays: 0,
      counts: { accepted: 0, batched: 0, activated: 0, delivered: 0, acked: 0, registered: 0, failed: 4 },
      error: 'CreateActivation failed: InvalidParameters: bad role',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    for (const url of ['/v1/batches/plant-a-1/retry', '/v1/sites/plant-a/retry', '/v1/retry-failed']) {
      for (const token of [TOKENS.lineA, TOKENS.lineAll]) {
        const res = await t.app.inject({ method: 'POST', url, headers: bearer(token) });
        expect(res.statusCode, url).toBe(403);
        expect(res.json().error.message).toContain('admin');
      }
    }
    expect(t.services.retried).toEqual([]);

    const batch = await t.app.inject({ method: 'POST', url: '/v1/batches/plant-a-1/retry', headers: bearer(TOKENS.admin) });
    expect(batch.statusCode).toBe(202);
    expect(batch.json()).toEqual({ batches: 1, devices: 4 });
    const site = await t.app.inject({ method: 'POST', url: '/v1/sites/plant-a/retry', headers: bearer(TOKENS.admin) });
    expect(site.json()).toEqual({ batches: 2, devices: 7 });
    const all = await t.app.inject({ method: 'POST', url: '/v1/retry-failed', headers: bearer(TOKENS.admin) });
    expect(all.json()).toEqual({ batches: 3, devices: 9 });
    expect(t.services.retried).toEqual(['batch:plant-a-1', 'site:plant-a', 'all']);

    const unknown = await t.app.inject({ method: 'POST', url: '/v1/batches/nope-1/retry', headers: bearer(TOKENS.admin) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe('batch "nope-1" not found');
    const unknownSite = await t.app.inject({ method: 'POST', url: '/v1/sites/plant-z/retry', headers: bearer(TOKENS.admin) });
    expect(unknownSite.statusCode).toBe(404);
  });

  it('with no tokens configured, needs no header (the server is then loopback-only)', async () => {
    const open = await makeApi(testConfig({ apiTokens: [] }));
    try {
      const res = await open.app.inject({ method: 'POST', url: '/v1/retry-failed' });
      expect(res.statusCode).toBe(202);
    } finally {
      await open.app.close();
    }
  });
});
