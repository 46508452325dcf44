import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, makeApi, TOKENS, type TestApi } from './fixtures.js';

const ACK = {
  v: 1,
  deliveryId: 'plant-a-lx2-abc.3.n0nce',
  activationId: '8a1f7e1b-1111-2222-3333-444455556666',
  status: 'registered',
  managedNodeId: 'mi-0123456789abcdef0',
};

describe('POST /v1/acks', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await makeApi();
  });
  afterAll(async () => {
    await t.app.close();
  });
  beforeEach(() => {
    t.services.acks.length = 0;
    t.services.ackOutcome = 'accepted';
  });

  const post = (payload: unknown, token: string = TOKENS.admin) =>
    t.app.inject({ method: 'POST', url: '/v1/acks', headers: bearer(token), payload: payload as object });

  it('forwards a bare ack to the services as an http ack and answers 202 accepted', async () => {
    const res = await post(ACK);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ result: 'accepted' });
    expect(t.services.acks).toEqual([{ ack: ACK, source: 'http' }]);
  });

  it('reads siteId and thingName from the topic the IoT rule adds, and drops the rule’s other fields', async () => {
    const res = await post({ ...ACK, topic: 'fleet/enroll/plant-a/edge-SN-1/ack', timestamp: 1767225600000 }, TOKENS.lineA);
    expect(res.statusCode).toBe(202);
    expect(t.services.acks).toEqual([{ ack: ACK, source: 'http', topic: { siteId: 'plant-a', thingName: 'edge-SN-1' } }]);
  });

  it('accepts siteId + thingName added by the rule instead of the topic', async () => {
    const res = await post({ ...ACK, siteId: 'plant-a', thingName: 'edge-SN-1' }, TOKENS.lineA);
    expect(res.statusCode).toBe(202);
    expect(t.services.acks[0]!.topic).toEqual({ siteId: 'plant-a', thingName: 'edge-SN-1' });
  });

  it('answers 202 stale for an ack that does not match the current delivery (counted by the services, not an error)', async () => {
    t.services.ackOutcome = 'stale';
    const res = await post({ ...ACK, status: 'failed', error: 'agent refused', managedNodeId: undefined });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ result: 'stale' });
  });

  it.each([
    [{ ...ACK, v: 2 }, 'v'],
    [{ ...ACK, v: '1' }, 'v'],
    [{ ...ACK, deliveryId: undefined }, 'deliveryId'],
    [{ ...ACK, deliveryId: '' }, 'deliveryId'],
    [{ ...ACK, activationId: 7 }, 'activationId'],
    [{ ...ACK, status: 'done' }, 'status'],
    [{ ...ACK, managedNodeId: undefined }, 'managedNodeId'],
    [{ ...ACK, managedNodeId: 'i-0123456789abcdef0' }, 'managedNodeId'],
    [{ ...ACK, topic: 'some/other/topic' }, 'topic'],
    [{ ...ACK, topic: 'fleet/enroll/plant-a/t/ack', siteId: 'plant-b' }, 'siteId'],
    [{ ...ACK, siteId: 'plant-a' }, 'thingName'],
    [{ ...ACK, thingName: 't' }, 'siteId'],
  ])('refuses %j with a 400 naming %s, without calling the services', async (payload, path) => {
    const res = await post(JSON.parse(JSON.stringify(payload)));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION');
    expect(res.json().error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(t.services.acks).toHaveLength(0);
  });

  it('lets a line token ack only for its sites, and only when the site is given', async () => {
    const foreign = await post({ ...ACK, topic: 'fleet/enroll/plant-b/t/ack' }, TOKENS.lineA);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().error.message).toBe('this token may not ack for site "plant-b"');
    const siteless = await post(ACK, TOKENS.lineA);
    expect(siteless.statusCode).toBe(403);
    expect(siteless.json().error.message).toContain('topic');
    expect(t.services.acks).toHaveLength(0);
    expect((await post(ACK, TOKENS.lineAll)).statusCode).toBe(202);
  });

  it('counts acks refused for their shape as invalid http acks', async () => {
    const before = (await t.metrics.acks.get()).values.find((v) => v.labels.result === 'invalid')?.value ?? 0;
    await post({ v: 1 });
    const after = (await t.metrics.acks.get()).values.find((v) => v.labels.result === 'invalid' && v.labels.source === 'http')?.value;
    expect(after).toBe(before + 1);
  });
});
