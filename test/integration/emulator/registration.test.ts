import {
  AddTagsToResourceCommand,
  DeleteActivationCommand,
  DeregisterManagedInstanceCommand,
  DescribeActivationsCommand,
  DescribeInstanceInformationCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestActivation, register, rejection, startEmulatorFixture, type EmulatorFixture, type TestActivationOptions } from './aws-clients.js';

const HOUR = 60 * 60 * 1000;
let clock = Date.now();
let fx: EmulatorFixture;

beforeAll(async () => {
  // the emulator's clock (expiry) is ours to move; SigV4 still checks the real one
  fx = await startEmulatorFixture({ now: () => clock, nodeQuota: 5 });
});
afterAll(async () => fx.close());

const activation = (limit: number, name: string, extra: Omit<TestActivationOptions, 'expiresAt'> = {}) =>
  createTestActivation(fx, limit, name, { expiresAt: new Date(clock + HOUR), ...extra });

describe('registration (POST /emulator/register) and what SSM then shows', () => {
  it('registers a node visible in DescribeInstanceInformation by activation id, carrying the activation tags', async () => {
    const a = await activation(2, 'fleet-batch-1');
    const reg = await register(fx.emulator.url, { activationId: a.id, activationCode: a.code, hostname: 'edge-SN-1' });
    expect(reg.status).toBe(200);
    expect(reg.json.managedNodeId).toMatch(/^mi-[0-9a-f]{17}$/);

    const info = await fx.ssm().send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'ActivationIds', Values: [a.id] }] }));
    expect(info.InstanceInformationList).toHaveLength(1);
    expect(info.InstanceInformationList![0]).toMatchObject({
      InstanceId: reg.json.managedNodeId,
      ActivationId: a.id,
      Name: 'fleet-batch-1',
      ComputerName: 'edge-SN-1',
      PingStatus: 'Online',
      ResourceType: 'ManagedInstance',
      IamRole: 'EdgeSSMRole',
    });
    expect(info.InstanceInformationList![0]!.RegistrationDate).toBeInstanceOf(Date);

    const tags = await fx.ssm().send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: reg.json.managedNodeId }));
    expect(tags.TagList).toEqual([{ Key: 'fleet:site', Value: 'plant-1' }, { Key: 'fleet:batch', Value: 'fleet-batch-1' }]);

    const listed = await fx.ssm().send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [a.id] }] }));
    expect(listed.ActivationList![0]).toMatchObject({ RegistrationsCount: 1, RegistrationLimit: 2, Expired: false, DefaultInstanceName: 'fleet-batch-1' });
  });

  it('refuses a wrong code, the limit + 1st registration and an expired activation, saying which', async () => {
    const a = await activation(1, 'fleet-batch-2');
    const wrong = await register(fx.emulator.url, { activationId: a.id, activationCode: 'x'.repeat(20) });
    expect(wrong).toMatchObject({ status: 400, json: { __type: 'InvalidActivationCode' } });
    expect(wrong.json.message).not.toContain(a.code);

    expect((await register(fx.emulator.url, { activationId: a.id, activationCode: a.code })).status).toBe(200);
    const second = await register(fx.emulator.url, { activationId: a.id, activationCode: a.code });
    expect(second).toMatchObject({ status: 400, json: { __type: 'RegistrationLimitExceeded' } });
    expect(second.json.message).toMatch(/limit of 1/);

    const b = await activation(5, 'fleet-batch-3');
    clock += HOUR + 1;
    const late = await register(fx.emulator.url, { activationId: b.id, activationCode: b.code });
    expect(late).toMatchObject({ status: 400, json: { __type: 'ActivationExpired' } });
    const listed = await fx.ssm().send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'DefaultInstanceName', FilterValues: ['fleet-batch-3'] }] }));
    expect(listed.ActivationList).toHaveLength(1);
    expect(listed.ActivationList![0]!.Expired).toBe(true);

    const unknown = await register(fx.emulator.url, { activationId: '00000000-0000-4000-8000-000000000000', activationCode: a.code });
    expect(unknown).toMatchObject({ status: 400, json: { __type: 'InvalidActivation' } });
    const malformed = await register(fx.emulator.url, { activationCode: a.code });
    expect(malformed).toMatchObject({ status: 400, json: { __type: 'ValidationException' } });
    expect(malformed.json.message).toMatch(/activationId/);
  });

  it('refuses registrations beyond the Region quota; deregistering frees a place', async () => {
    // an emulator of its own, so the count of nodes does not depend on the tests before
    const q = await startEmulatorFixture({ nodeQuota: 3 });
    try {
      const expiresAt = new Date(Date.now() + HOUR);
      const a = await createTestActivation(q, 10, 'fleet-batch-4', { expiresAt });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const ok = await register(q.emulator.url, { activationId: a.id, activationCode: a.code });
        expect(ok.status).toBe(200);
        ids.push(ok.json.managedNodeId!);
      }
      const over = await register(q.emulator.url, { activationId: a.id, activationCode: a.code });
      expect(over).toMatchObject({ status: 400, json: { __type: 'ManagedNodeQuotaExceeded' } });

      // another Region has its own quota and its own activations
      const west = await createTestActivation(q, 1, 'fleet-batch-west', { expiresAt, region: 'eu-west-1' });
      expect((await register(q.emulator.url, { activationId: west.id, activationCode: west.code })).status).toBe(200);
      const inEast = await q.ssm().send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [west.id] }] }));
      expect(inEast.ActivationList).toEqual([]);

      await q.ssm().send(new DeregisterManagedInstanceCommand({ InstanceId: ids[0] }));
      expect((await register(q.emulator.url, { activationId: a.id, activationCode: a.code })).status).toBe(200);
      expect((await register(q.emulator.url, { activationId: a.id, activationCode: a.code })).json.__type).toBe('ManagedNodeQuotaExceeded');
      const gone = await rejection(q.ssm().send(new DeregisterManagedInstanceCommand({ InstanceId: ids[0] })));
      expect(gone.name).toBe('InvalidInstanceId');
    } finally {
      await q.close();
    }
  });

  it('deleting an activation keeps its nodes; deleting it again is InvalidActivation', async () => {
    const a = await activation(1, 'fleet-batch-5', { region: 'eu-central-1' });
    const node = (await register(fx.emulator.url, { activationId: a.id, activationCode: a.code })).json.managedNodeId!;
    const ssm = fx.ssm('eu-central-1');
    await ssm.send(new DeleteActivationCommand({ ActivationId: a.id }));
    const again = await rejection(ssm.send(new DeleteActivationCommand({ ActivationId: a.id })));
    expect(again.name).toBe('InvalidActivation');
    expect(again.$metadata?.httpStatusCode).toBe(400);
    const listed = await ssm.send(new DescribeActivationsCommand({ Filters: [{ FilterKey: 'ActivationIds', FilterValues: [a.id] }] }));
    expect(listed.ActivationList).toEqual([]);
    const info = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'ActivationIds', Values: [a.id] }] }));
    expect(info.InstanceInformationList!.map((n) => n.InstanceId)).toEqual([node]);
    const refused = await register(fx.emulator.url, { activationId: a.id, activationCode: a.code });
    expect(refused.json.__type).toBe('InvalidActivation');
  });

  it('tags a node with AddTagsToResource and removes them; unknown ids are InvalidResourceId', async () => {
    const a = await activation(1, 'fleet-batch-6', { region: 'ap-south-1' });
    const node = (await register(fx.emulator.url, { activationId: a.id, activationCode: a.code })).json.managedNodeId!;
    const ssm = fx.ssm('ap-south-1');
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: node, Tags: [{ Key: 'fleet:device', Value: 'SN-6' }, { Key: 'fleet:site', Value: 'moved' }] }));
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: node, TagKeys: ['fleet:batch'] }));
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: node }));
    expect(tags.TagList).toEqual([{ Key: 'fleet:site', Value: 'moved' }, { Key: 'fleet:device', Value: 'SN-6' }]);
    const unknown = await rejection(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: 'mi-0123456789abcdef0' })));
    expect(unknown.name).toBe('InvalidResourceId');
    const badKey = await rejection(ssm.send(new AddTagsToResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: node, Tags: [{ Key: 'aws:x', Value: 'v' }] })));
    expect(badKey.message).toMatch(/tags\.1\.member\.key/);
    const other = await rejection(fx.ssm().send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: node })));
    expect(other.name).toBe('InvalidResourceId');
  });
});
