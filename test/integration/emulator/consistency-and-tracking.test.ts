/**
 * The emulator is not kinder than AWS: with the `consistencyDelayMs` fault a new activation (or node) shows
 * up in DescribeActivations (DescribeInstanceInformation) only after the delay. And what the tests rely on to
 * check invariants exactly: every code ever issued (answers dropped included) and, per DefaultInstanceName,
 * the most activations live at once.
 */
import { CreateActivationCommand, DeleteActivationCommand, DescribeActivationsCommand, DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestActivation, register, rejection, startEmulatorFixture, type EmulatorFixture } from './aws-clients.js';

const HOUR = 3_600_000;
let clock = Date.now();
let fx: EmulatorFixture;

beforeAll(async () => {
  fx = await startEmulatorFixture({ now: () => clock, nodeQuota: 'unlimited' });
});
afterAll(async () => fx.close());
beforeEach(() => fx.emulator.setFaults({}));

const byName = async (name: string): Promise<string[]> =>
  ((await fx.ssm().send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'DefaultInstanceName', FilterValues: [name] }] }))).ActivationList ?? []).map((a) => a.ActivationId!);

describe('read-after-write delay (consistencyDelayMs)', () => {
  it('hides a new activation from DescribeActivations until the delay has passed; the write itself is at once', async () => {
    fx.emulator.setFaults({ 'ssm.DescribeActivations': { consistencyDelayMs: 5_000 } });
    const a = await createTestActivation(fx, 2, 'late-1', { expiresAt: new Date(clock + HOUR) });
    expect(await byName('late-1')).toEqual([]);
    // registering with it works at once (it exists), only the read lags
    expect((await register(fx.emulator.url, { activationId: a.id, activationCode: a.code })).status).toBe(200);
    clock += 4_999;
    expect(await byName('late-1')).toEqual([]);
    clock += 1;
    expect(await byName('late-1')).toEqual([a.id]);
    // and a delete by id needs no visibility
    fx.emulator.setFaults({ 'ssm.DescribeActivations': { consistencyDelayMs: 60_000 } });
    const b = await createTestActivation(fx, 1, 'late-2', { expiresAt: new Date(clock + HOUR) });
    await fx.ssm().send(new DeleteActivationCommand({ ActivationId: b.id }));
    clock += 60_000;
    expect(await byName('late-2')).toEqual([]);
  });

  it('hides a new node from DescribeInstanceInformation until the delay has passed', async () => {
    fx.emulator.setFaults({ 'ssm.DescribeInstanceInformation': { consistencyDelayMs: 2_000 } });
    const a = await createTestActivation(fx, 1, 'late-node', { expiresAt: new Date(clock + HOUR) });
    const node = (await register(fx.emulator.url, { activationId: a.id, activationCode: a.code })).json.managedNodeId!;
    const nodes = async (): Promise<string[]> =>
      ((await fx.ssm().send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'ActivationIds', Values: [a.id] }] }))).InstanceInformationList ?? []).map((n) => n.InstanceId!);
    expect(await nodes()).toEqual([]);
    clock += 2_000;
    expect(await nodes()).toEqual([node]);
  });

  it('is refused on anything but the two eventually consistent reads, naming the field', async () => {
    const res = await fetch(`${fx.emulator.url}/emulator/faults`, { method: 'PUT', body: JSON.stringify({ 'ssm.CreateActivation': { consistencyDelayMs: 10 } }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/faults\.ssm\.CreateActivation\.consistencyDelayMs/);
  });
});

describe('what the emulator keeps for the tests', () => {
  it('lists every code it issued, also when the answer was dropped; GET /emulator/issued-codes answers the same', async () => {
    const before = fx.emulator.issuedCodes().length;
    const kept = await createTestActivation(fx, 1, 'codes-1', { expiresAt: new Date(clock + HOUR) });
    fx.emulator.setFaults({ 'ssm.CreateActivation': { dropAnswer: 1 } });
    await rejection(fx.ssm().send(new CreateActivationCommand({ IamRole: 'EdgeSSMRole', RegistrationLimit: 1, DefaultInstanceName: 'codes-2', ExpirationDate: new Date(clock + HOUR) })));
    const codes = fx.emulator.issuedCodes();
    expect(codes).toHaveLength(before + 2);
    expect(codes[before]).toBe(kept.code);
    expect(codes[before + 1]).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    const listed = (await (await fetch(`${fx.emulator.url}/emulator/issued-codes`)).json()) as { codes: string[] };
    expect(listed.codes).toEqual(codes);
    // the state route never carries a code
    const state = await (await fetch(`${fx.emulator.url}/emulator/state`)).text();
    for (const code of codes) expect(state).not.toContain(code);
  });

  it('keeps, per DefaultInstanceName, the most unexpired activations live at once', async () => {
    const expiresAt = new Date(clock + HOUR);
    const max = (): Readonly<Record<string, number>> => fx.emulator.state.activations.maxLiveByName;
    const first = await createTestActivation(fx, 1, 'one-at-a-time', { expiresAt });
    await fx.ssm().send(new DeleteActivationCommand({ ActivationId: first.id }));
    await createTestActivation(fx, 1, 'one-at-a-time', { expiresAt });
    expect(max()['one-at-a-time']).toBe(1);

    // created before the other was deleted: two at once, remembered after the delete
    const a = await createTestActivation(fx, 1, 'two-at-once', { expiresAt });
    await createTestActivation(fx, 1, 'two-at-once', { expiresAt });
    await fx.ssm().send(new DeleteActivationCommand({ ActivationId: a.id }));
    expect(max()['two-at-once']).toBe(2);

    // an expired one left undeleted is not usable: it does not count
    await createTestActivation(fx, 1, 'expired-then-new', { expiresAt: new Date(clock + 1_000) });
    clock += 2_000;
    await createTestActivation(fx, 1, 'expired-then-new', { expiresAt: new Date(clock + HOUR) });
    expect(max()['expired-then-new']).toBe(1);
  });
});
