import {
  DescribeActivationsCommand,
  DescribeInstanceInformationCommand,
  type DescribeActivationsCommandOutput,
  type DescribeInstanceInformationCommandOutput,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestActivation, register, rejection, startEmulatorFixture, type EmulatorFixture, type TestActivationOptions } from './aws-clients.js';

const HOUR = 60 * 60 * 1000;
const clock = Date.now();
let fx: EmulatorFixture;

beforeAll(async () => {
  fx = await startEmulatorFixture({ now: () => clock, nodeQuota: 'unlimited' });
});
afterAll(async () => fx.close());

const activation = (limit: number, name: string, extra: Omit<TestActivationOptions, 'expiresAt'> = {}) =>
  createTestActivation(fx, limit, name, { expiresAt: new Date(clock + HOUR), ...extra });

describe('pagination and filters', () => {
  it('pages DescribeActivations and DescribeInstanceInformation with NextToken, missing nothing', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `fleet-page-${i}`);
    const created = [];
    for (const name of names) created.push(await activation(3, name, { region: 'sa-east-1', tags: [] }));
    const ssm = fx.ssm('sa-east-1');
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page: DescribeActivationsCommandOutput = await ssm.send(new DescribeActivationsCommand({ MaxResults: 3, NextToken: token, Filters: [{ FilterKey: 'IamRole', FilterValues: ['EdgeSSMRole'] }] }));
      seen.push(...page.ActivationList!.map((a) => a.DefaultInstanceName!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(seen).toEqual(names);
    expect(pages).toBe(3);

    const nodes: string[] = [];
    for (const a of created.slice(0, 3)) {
      for (let i = 0; i < 3; i++) nodes.push((await register(fx.emulator.url, { activationId: a.id, activationCode: a.code })).json.managedNodeId!);
    }
    const found: string[] = [];
    token = undefined;
    do {
      const page: DescribeInstanceInformationCommandOutput = await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 5, NextToken: token, InstanceInformationFilterList: [{ key: 'ActivationIds', valueSet: created.slice(0, 3).map((a) => a.id) }] }));
      found.push(...page.InstanceInformationList!.map((n) => n.InstanceId!));
      token = page.NextToken;
    } while (token);
    expect(found.sort()).toEqual([...nodes].sort());

    const tooMany = await rejection(ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 51 })));
    expect(tooMany.message).toMatch(/maxResults/);
    const badToken = await rejection(ssm.send(new DescribeActivationsCommand({ NextToken: 'not-a-token' })));
    expect(badToken.name).toBe('InvalidNextToken');
  });
});
