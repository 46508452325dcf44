import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceView } from '../../../src/api/services.js';
import { bearer, event, makeApi, TOKENS, type TestApi } from './fixtures.js';
import { zeroCounts } from './fake-services.js';

const CODE = 'Zx9-activation-code-never-shown-0001';

describe('reads', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await makeApi();
    // a services bug that leaks a field: the response schema must not let it through
    const leaky = {
      deviceId: 'SN-1',
      siteId: 'plant-a',
      thingName: 'edge-SN-1',
      state: 'delivered',
      batchId: 'plant-a-1',
      activationId: '8a1f7e1b-1111-2222-3333-444455556666',
      managedNodeId: null,
      rebatches: 1,
      timestamps: { accepted: '2026-01-01T00:00:00.000Z', delivered: '2026-01-01T00:00:02.100Z' },
      updatedAt: '2026-01-01T00:00:02.100Z',
      error: null,
      activationCode: CODE,
    } as DeviceView;
    t.services.devices.set('SN-1', leaky);
    t.services.batches.set('plant-a-1', {
      batchId: 'plant-a-1',
      siteId: 'plant-a',
      region: 'eu-central-1',
      state: 'active',
      blockedReason: null,
      size: 1,
      activationId: '8a1f7e1b-1111-2222-3333-444455556666',
      expiresAt: '2026-01-02T00:00:00.000Z',
      attempts: 1,
      strays: 0,
      counts: { ...zeroCounts(), delivered: 1 },
      error: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      code: CODE,
    } as never);
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('shows a device with its activation id and never a field outside the view (no activation code)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/devices/SN-1', headers: bearer(TOKENS.lineA) });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(CODE);
    const { activationCode: _dropped, ...expected } = t.services.devices.get('SN-1') as DeviceView & { activationCode: string };
    expect(res.json()).toEqual(expected);
  });

  it('shows a batch with its devices per state, without the code', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/batches/plant-a-1', headers: bearer(TOKENS.admin) });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(CODE);
    expect(res.json()).toMatchObject({ batchId: 'plant-a-1', state: 'active', size: 1, counts: { delivered: 1, registered: 0 } });
    const foreign = await t.app.inject({ method: 'GET', url: '/v1/batches/plant-a-1', headers: bearer(TOKENS.lineB) });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.message).toBe('batch "plant-a-1" not found');
  });

  it('shows a site as {siteId, counts, buffered, nextCutAt}', async () => {
    await t.app.inject({ method: 'POST', url: '/v1/enrollments', headers: bearer(TOKENS.admin), payload: { events: [event(1), event(2)] } });
    const res = await t.app.inject({ method: 'GET', url: '/v1/sites/plant-a', headers: bearer(TOKENS.lineA) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      siteId: 'plant-a',
      counts: { ...zeroCounts(), accepted: 2 },
      buffered: 2,
      nextCutAt: '2026-01-01T00:00:02.000Z',
    });
  });

  it('answers 404 for a site not in the sites file and 400 naming a malformed id', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/sites/plant-z', headers: bearer(TOKENS.admin) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toEqual({ code: 'NOT_FOUND', message: 'site "plant-z" not found' });
    const bad = await t.app.inject({ method: 'GET', url: `/v1/devices/${encodeURIComponent('SN 1/x')}`, headers: bearer(TOKENS.admin) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('params.deviceId');
  });

  it('lists the sites a token may read', async () => {
    const line = await t.app.inject({ method: 'GET', url: '/v1/sites', headers: bearer(TOKENS.lineB) });
    expect(line.json().sites.map((s: { siteId: string }) => s.siteId)).toEqual(['plant-b']);
    const admin = await t.app.inject({ method: 'GET', url: '/v1/sites', headers: bearer(TOKENS.admin) });
    expect(admin.json().sites.map((s: { siteId: string }) => s.siteId)).toEqual(['plant-a', 'plant-b', 'plant-c']);
  });
});
