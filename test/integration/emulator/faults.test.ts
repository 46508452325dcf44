import { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { CreateActivationCommand, DescribeActivationsCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/emulator/index.js';
import { register, rejection, startEmulatorFixture, type EmulatorFixture } from './aws-clients.js';

const SEED = 20240611;
let clock = Date.now();
let fx: EmulatorFixture;

beforeAll(async () => {
  // seeded coin flips and a frozen clock (TPS buckets refill only when the test moves it)
  fx = await startEmulatorFixture({ seed: SEED, now: () => clock });
});
afterAll(async () => fx.close());
beforeEach(() => fx.emulator.setFaults({}));

const counts = (op: string) => fx.emulator.state.operations[op] ?? { calls: 0, throttled: 0, failed: 0, dropped: 0, rejected: 0 };
const describeActivations = (client = fx.ssm()) => client.send(new DescribeActivationsCommand({}));

async function outcomes(n: number, call: () => Promise<unknown>): Promise<string[]> {
  const results = await Promise.allSettled(Array.from({ length: n }, call));
  return results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).name));
}

describe('fault injection, counted', () => {
  it('throttle: as many ThrottlingExceptions as the seeded coin says, and the state counts them', async () => {
    // a second emulator on the same seed: its first 40 draws are exactly what this test predicts
    const expected = (() => {
      const random = seededRandom(SEED);
      return Array.from({ length: 40 }, () => random() < 0.5).filter(Boolean).length;
    })();
    const seeded = await startEmulatorFixture({ seed: SEED, faults: { 'ssm.DescribeActivations': { throttle: 0.5 } } });
    try {
      const seen: string[] = [];
      for (let i = 0; i < 40; i++) seen.push(...(await outcomes(1, () => describeActivations(seeded.ssm()))));
      const throttled = seen.filter((s) => s === 'ThrottlingException').length;
      expect(throttled).toBe(expected);
      expect(throttled).toBeGreaterThan(0);
      expect(throttled).toBeLessThan(40);
      expect(seeded.emulator.state.operations['ssm.DescribeActivations']).toMatchObject({ calls: 40, throttled });
    } finally {
      await seeded.close();
    }
  });

  it('error: 500 InternalServerError, nothing created; set at run time by PUT /emulator/faults and cleared by {}', async () => {
    const put = await fetch(`${fx.emulator.url}/emulator/faults`, { method: 'PUT', body: JSON.stringify({ 'ssm.CreateActivation': { error: 1 } }) });
    expect(put.status).toBe(200);
    const before = fx.emulator.state.activations.created;
    const error = await rejection(fx.ssm().send(new CreateActivationCommand({ IamRole: 'R' })));
    expect(error.name).toBe('InternalServerError');
    expect(error.$metadata?.httpStatusCode).toBe(500);
    expect(fx.emulator.state.activations.created).toBe(before);
    expect(counts('ssm.CreateActivation').failed).toBe(1);

    await fetch(`${fx.emulator.url}/emulator/faults`, { method: 'PUT', body: '{}' });
    await fx.ssm().send(new CreateActivationCommand({ IamRole: 'R' }));
    expect(fx.emulator.state.activations.created).toBe(before + 1);
  });

  it('tps: a token bucket admits one second of calls, the rest are throttled until time passes', async () => {
    fx.emulator.setFaults({ 'ssm.DescribeActivations': { tps: 3 } });
    const first = await outcomes(10, () => describeActivations());
    expect(first.filter((o) => o === 'ok')).toHaveLength(3);
    expect(first.filter((o) => o === 'ThrottlingException')).toHaveLength(7);
    clock += 1000;
    const second = await outcomes(10, () => describeActivations());
    expect(second.filter((o) => o === 'ok')).toHaveLength(3);
    expect(counts('ssm.DescribeActivations').throttled).toBe(14);
  });

  it('dropAnswer: the work is done, the client never gets the answer', async () => {
    fx.emulator.setFaults({ 'ssm.CreateActivation': { dropAnswer: 1 } });
    const dropped = await rejection(fx.ssm().send(new CreateActivationCommand({ IamRole: 'R', DefaultInstanceName: 'fleet-lost-answer' })));
    expect(dropped.$metadata?.httpStatusCode).toBeUndefined(); // no HTTP answer at all: a connection error
    fx.emulator.setFaults({});
    const found = await fx.ssm().send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'DefaultInstanceName', FilterValues: ['fleet-lost-answer'] }] }));
    expect(found.ActivationList).toHaveLength(1);
    expect(counts('ssm.CreateActivation').dropped).toBe(1);
  });

  it('latencyMs: a client that stops waiting sooner gives up, though the call was counted', async () => {
    fx.emulator.setFaults({ 'ssm.DescribeActivations': { latencyMs: 3000 } });
    const callsBefore = counts('ssm.DescribeActivations').calls;
    const error = await rejection(fx.ssm().send(new DescribeActivationsCommand({}), { abortSignal: AbortSignal.timeout(300) }));
    expect(error.name).toMatch(/Abort|Timeout/);
    expect(counts('ssm.DescribeActivations').calls).toBe(callsBefore + 1);
    fx.emulator.setFaults({});
    await fx.ssm().send(new DescribeActivationsCommand({}), { abortSignal: AbortSignal.timeout(3000) });
  });

  it('applies to the registration route and the IoT data plane too (429 for AWS IoT)', async () => {
    fx.emulator.setFaults({ 'ssm.RegisterManagedInstance': { throttle: 1 }, 'iotdata.Publish': { throttle: 1 } });
    const reg = await register(fx.emulator.url, { activationId: '00000000-0000-4000-8000-000000000000', activationCode: 'x'.repeat(20) });
    expect(reg).toMatchObject({ status: 400, json: { __type: 'ThrottlingException' } });
    const publish = await rejection(fx.iotData().send(new PublishCommand({ topic: 'fault/test', payload: Buffer.from('x') })));
    expect(publish.name).toBe('ThrottlingException');
    expect(publish.$metadata?.httpStatusCode).toBe(429);
    expect(counts('iotdata.Publish').throttled).toBe(1);
  });

  it('refuses bad fault settings with the field named, keeping the old ones', async () => {
    fx.emulator.setFaults({ 'ssm.CreateActivation': { throttle: 0.1 } });
    for (const [body, field] of [
      ['{"ssm.CreateActivation":{"throttle":2}}', 'faults.ssm.CreateActivation.throttle'],
      ['{"ssm.Nope":{}}', 'faults.ssm.Nope'],
      ['{"iot.CreateThing":{"speed":1}}', 'faults.iot.CreateThing.speed'],
      ['not json', 'not valid JSON'],
    ] as const) {
      const res = await fetch(`${fx.emulator.url}/emulator/faults`, { method: 'PUT', body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toContain(field);
    }
    const current = await (await fetch(`${fx.emulator.url}/emulator/faults`)).json();
    expect(current).toEqual({ 'ssm.CreateActivation': { throttle: 0.1 } });
  });
});
