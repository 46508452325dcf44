/**
 * A device belongs to its site, tried as an attacker with a line token would, over real HTTP against the
 * real pipeline (createApp with every role, real Redis, the emulator over HTTP, Mosquitto, the simulator):
 * a line token cannot move, erase or re-credential another site's device — in flight or registered — and
 * its answer is the same whatever that device's state (nothing leaks through `duplicates` either); a
 * registered device posted again is a duplicate; a token for both sites moves a device with `reenroll`, and
 * the old record stays as history.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../../src/app.js';
import type { DeviceView } from '../../../src/api/services.js';
import type { OnboardingEvent } from '../../../src/domain/onboarding-event.js';
import { PipelineHarness } from '../pipeline/support/pipeline-harness.js';

const A = 'iso-a';
/** a window long enough that its devices stay in flight (`accepted`) for the whole test */
const B = 'iso-b';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const TOKEN = { lineA: 'iso-line-a-5e1f0c2b9d7a', lineB: 'iso-line-b-8a3c6e1d4f0b', both: 'iso-line-ab-2d4f6a8c0e1b', admin: 'iso-admin-9f8e7d6c5b4a' };

describe('site isolation: a line token cannot act for another site', () => {
  let h: PipelineHarness;
  let registeredA: OnboardingEvent[];
  let inFlightB: OnboardingEvent[];

  const post = async (token: string, body: unknown): Promise<{ status: number; json: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any -- answers read loosely
    const res = await fetch(`${h.app.url}/v1/enrollments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  const record = (id: string): Promise<Record<string, string>> => h.deviceRecord(id);

  beforeAll(async () => {
    h = await PipelineHarness.start({
      sites: [
        { id: A, maxBatchSize: 50 },
        { id: B, maxBatchSize: 1000, batchWindowMs: 600_000 },
      ],
      roles: ROLES,
      apiTokens: [
        { name: 'line-a', sha256: sha(TOKEN.lineA), role: 'line', sites: [A] },
        { name: 'line-b', sha256: sha(TOKEN.lineB), role: 'line', sites: [B] },
        { name: 'line-ab', sha256: sha(TOKEN.both), role: 'line', sites: [A, B] },
        { name: 'ops', sha256: sha(TOKEN.admin), role: 'admin', sites: ['*'] },
      ],
    });
    registeredA = h.events(A, 4);
    inFlightB = h.events(B, 3);
    expect((await post(TOKEN.lineA, { events: registeredA })).json).toMatchObject({ accepted: 4, duplicates: 0, rejected: [] });
    expect((await post(TOKEN.lineB, { events: inFlightB })).json).toMatchObject({ accepted: 3, duplicates: 0, rejected: [] });
    await h.waitFor(() => h.allSettled([A], 4), 30_000, () => h.describeCounts([A, B]));
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('refuses to move, erase or re-credential another site’s device, and says only that the id is not available', async () => {
    const ids = [...registeredA, ...inFlightB].map((e) => e.deviceId);
    const before = await Promise.all(ids.map(record));
    const countsBefore = [await h.counts(A), await h.counts(B)];
    const published = h.observer.received.length;

    // plant-b's line token takes a registered plant-a device, with and without reenroll (it once erased the record)
    const onRegistered = await post(TOKEN.lineB, {
      events: [
        { deviceId: registeredA[0]!.deviceId, siteId: B },
        { deviceId: registeredA[1]!.deviceId, siteId: B, reenroll: true },
      ],
    });
    // plant-a's line token takes an in-flight plant-b device, with and without reenroll (it once moved it)
    const onInFlight = await post(TOKEN.lineA, {
      events: [
        { deviceId: inFlightB[0]!.deviceId, siteId: A },
        { deviceId: inFlightB[1]!.deviceId, siteId: A, reenroll: true },
      ],
    });
    for (const answer of [onRegistered, onInFlight]) {
      expect(answer.status).toBe(202);
      expect(answer.json.accepted).toBe(0);
      // not a duplicate: the count would tell the token the device is in flight elsewhere
      expect(answer.json.duplicates).toBe(0);
    }
    // one answer, whatever the record's state: the same text for registered and in-flight devices
    const shape = (a: { json: { rejected: { index: number; errors: unknown }[] } }) => a.json.rejected.map((r) => ({ index: r.index, errors: r.errors }));
    expect(shape(onRegistered)).toEqual(shape(onInFlight));
    expect(shape(onInFlight)).toEqual([
      { index: 0, errors: [{ path: 'events[0].deviceId', message: 'is not available to this token' }] },
      { index: 1, errors: [{ path: 'events[1].deviceId', message: 'is not available to this token' }] },
    ]);
    // a single event: a 400 with the same words, nothing about the other site
    const single = await post(TOKEN.lineA, { deviceId: inFlightB[2]!.deviceId, siteId: A, reenroll: true });
    expect(single.status).toBe(400);
    expect(single.json.error.issues).toEqual([{ path: 'deviceId', message: 'is not available to this token' }]);
    expect(JSON.stringify([onRegistered.json, onInFlight.json, single.json])).not.toMatch(/site "|in flight|registered|recorded/);

    // a neighbour in the same request is not dropped
    const neighbour = await post(TOKEN.lineA, { events: [{ deviceId: inFlightB[0]!.deviceId, siteId: A }, { deviceId: 'iso-a-new-1', siteId: A }] });
    expect(neighbour.json).toMatchObject({ accepted: 1, duplicates: 0, rejected: [{ index: 0 }] });

    // let intake run: nothing of the other site's devices changed, no credentials for them
    await h.waitFor(async () => (await h.app.services.device('iso-a-new-1')) !== null, 10_000, () => 'neighbour not taken in');
    expect(await Promise.all(ids.map(record))).toEqual(before);
    expect(await h.counts(B)).toEqual(countsBefore[1]);
    expect((await h.counts(A)).registered).toBe(countsBefore[0]!.registered);
    const forOthers = h.observer.received.slice(published).filter((r) => ids.includes(r.message.deviceId));
    expect(forOthers).toEqual([]);
  });

  it('counts a registered device posted again without reenroll as a duplicate, never a new enrollment', async () => {
    const id = registeredA[2]!.deviceId;
    const before = await record(id);
    expect((await post(TOKEN.lineA, { events: [registeredA[2]] })).json).toMatchObject({ accepted: 0, duplicates: 1, rejected: [] });
    expect((await post(TOKEN.lineA, { ...registeredA[2], attributes: { model: 'X2' } })).json).toMatchObject({ accepted: 0, duplicates: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await record(id)).toEqual(before);
  });

  it('moves a device between sites only with reenroll and a token for both, keeping the old record as history', async () => {
    const id = registeredA[3]!.deviceId;
    const old = (await h.app.services.device(id))!;
    expect(old.state).toBe('registered');
    // the test before enrolled a neighbour at A: once it is registered, nothing else moves A's count meanwhile
    await h.waitFor(async () => (await h.app.services.device('iso-a-new-1'))?.state === 'registered', 30_000, () => 'neighbour not registered');
    const registeredAtA = (await h.counts(A)).registered;
    // a token for both sites (or admin) without reenroll: told where it is and what it takes
    const noReenroll = await post(TOKEN.both, { events: [{ deviceId: id, siteId: B }] });
    expect(noReenroll.json.rejected).toEqual([
      { index: 0, deviceId: id, errors: [{ path: 'events[0].deviceId', message: `is recorded at site "${A}": moving it takes "reenroll": true` }] },
    ]);
    const moved = await post(TOKEN.admin, { events: [{ deviceId: id, siteId: B, reenroll: true }] });
    expect(moved.json).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    await h.waitFor(async () => (await h.app.services.device(id))?.siteId === B, 10_000, () => 'not moved');
    const res = await fetch(`${h.app.url}/v1/devices/${id}`, { headers: { authorization: `Bearer ${TOKEN.lineB}` } });
    const view = (await res.json()) as DeviceView;
    expect(view).toMatchObject({ siteId: B, state: 'accepted', managedNodeId: null });
    expect(view.history).toEqual([
      expect.objectContaining({ siteId: A, state: 'registered', batchId: old.batchId, activationId: old.activationId, managedNodeId: old.managedNodeId }),
    ]);
    // the old site no longer counts it; the token of the old site no longer sees it
    expect((await h.counts(A)).registered).toBe(registeredAtA - 1);
    expect((await fetch(`${h.app.url}/v1/devices/${id}`, { headers: { authorization: `Bearer ${TOKEN.lineA}` } })).status).toBe(404);

    // a line token scoped to both sites moves an in-flight device the other way, and it registers there
    const inFlight = inFlightB[2]!.deviceId;
    expect((await post(TOKEN.both, { events: [{ deviceId: inFlight, siteId: A, reenroll: true }] })).json).toMatchObject({ accepted: 1 });
    await h.waitFor(async () => (await h.app.services.device(inFlight))?.state === 'registered', 30_000, () => h.describeCounts([A, B]));
    expect((await h.app.services.device(inFlight))!.history).toEqual([expect.objectContaining({ siteId: B, state: 'accepted' })]);
  });
});
