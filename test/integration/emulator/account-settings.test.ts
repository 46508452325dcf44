/**
 * The emulator's account-level behaviour through unmodified SDK clients: the activation tier (SSM
 * service settings) and the node quota it implies, foreign managed nodes, AWS IoT's 7-day cap on
 * message expiry, and HTTP topic rule destinations with their confirmation message.
 */
import { ConfirmTopicRuleDestinationCommand, CreateTopicRuleDestinationCommand, GetTopicRuleDestinationCommand } from '@aws-sdk/client-iot';
import { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import {
  SSMClient,
  DescribeInstanceInformationCommand,
  GetServiceSettingCommand,
  ResetServiceSettingCommand,
  UpdateServiceSettingCommand,
} from '@aws-sdk/client-ssm';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../src/emulator/index.js';
import { createTestActivation, register, rejection, startEmulatorFixture, type EmulatorFixture } from './aws-clients.js';
import { MqttProbe } from './mqtt-probe.js';

const TIER = '/ssm/managed-instance/activation-tier';
const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const root = `test-emulator-cap-${randomBytes(6).toString('hex')}`;
let fx: EmulatorFixture;

beforeAll(async () => {
  fx = await startEmulatorFixture({ mqttUrl: MOSQUITTO, maxMessageExpirySeconds: 60 });
});
afterAll(async () => {
  await fx.iotData().send(new PublishCommand({ topic: `${root}/activation`, qos: 1, retain: true, payload: new Uint8Array() }));
  await fx.close();
});

const hour = (): Date => new Date(Date.now() + 3_600_000);

describe('activation tier: GetServiceSetting / UpdateServiceSetting / ResetServiceSetting', () => {
  it('answers like AWS: standard by default, Customized after an update, Default after a reset, per Region', async () => {
    const ssm = fx.ssm('eu-west-1');
    const first = (await ssm.send(new GetServiceSettingCommand({ SettingId: TIER }))).ServiceSetting!;
    expect(first).toMatchObject({ SettingId: TIER, SettingValue: 'standard', Status: 'Default', ARN: `arn:aws:ssm:eu-west-1:123456789012:servicesetting${TIER}` });
    await ssm.send(new UpdateServiceSettingCommand({ SettingId: first.ARN!, SettingValue: 'advanced' }));
    const changed = (await ssm.send(new GetServiceSettingCommand({ SettingId: TIER }))).ServiceSetting!;
    expect(changed).toMatchObject({ SettingValue: 'advanced', Status: 'Customized' });
    expect(changed.LastModifiedDate).toBeInstanceOf(Date);
    // another Region is untouched
    expect((await fx.ssm('eu-west-2').send(new GetServiceSettingCommand({ SettingId: TIER }))).ServiceSetting!.SettingValue).toBe('standard');
    const reset = (await ssm.send(new ResetServiceSettingCommand({ SettingId: TIER }))).ServiceSetting!;
    expect(reset).toMatchObject({ SettingValue: 'standard', Status: 'Default' });
  });

  it('--tier advanced: the account changed it before (Customized); a reset goes back to AWS’s standard', async () => {
    const advanced = await startEmulator({ tier: 'advanced' });
    const ssm = new SSMClient({ maxAttempts: 1, region: 'us-east-1', endpoint: advanced.url, credentials: { accessKeyId: advanced.env['AWS_ACCESS_KEY_ID']!, secretAccessKey: advanced.env['AWS_SECRET_ACCESS_KEY']! } });
    try {
      expect((await ssm.send(new GetServiceSettingCommand({ SettingId: TIER }))).ServiceSetting).toMatchObject({ SettingValue: 'advanced', Status: 'Customized' });
      expect((await ssm.send(new ResetServiceSettingCommand({ SettingId: TIER }))).ServiceSetting).toMatchObject({ SettingValue: 'standard', Status: 'Default' });
    } finally {
      ssm.destroy();
      await advanced.close();
    }
  });

  it('refuses an unknown setting and a value that is not a tier, naming them', async () => {
    const ssm = fx.ssm('eu-west-1');
    const unknown = await rejection(ssm.send(new GetServiceSettingCommand({ SettingId: '/ssm/parameter-store/default-parameter-tier' })));
    expect(unknown.name).toBe('ServiceSettingNotFound');
    const bad = await rejection(ssm.send(new UpdateServiceSettingCommand({ SettingId: TIER, SettingValue: 'premium' })));
    expect(bad.name).toBe('InvalidParameterValueException');
    expect(bad.message).toMatch(/premium/);
  });

  it('standard: 1,000 managed nodes per Region whoever registered them; advanced: no limit', async () => {
    const region = 'ap-south-1';
    const seeded = await fetch(`${fx.emulator.url}/emulator/foreign-nodes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 999, region }),
    });
    expect(seeded.status).toBe(200);
    expect(((await seeded.json()) as { managedNodeIds: string[] }).managedNodeIds).toHaveLength(999);
    // the foreign nodes show up like any other
    const page = await fx.ssm(region).send(new DescribeInstanceInformationCommand({ MaxResults: 50 }));
    expect(page.InstanceInformationList).toHaveLength(50);
    expect(page.NextToken).toBeDefined();

    const { id, code } = await createTestActivation(fx, 3, 'batch-tier', { expiresAt: hour(), region });
    expect((await register(fx.emulator.url, { activationId: id, activationCode: code })).status).toBe(200);
    const refused = await register(fx.emulator.url, { activationId: id, activationCode: code });
    expect(refused).toMatchObject({ status: 400, json: { __type: 'ManagedNodeQuotaExceeded' } });
    expect(refused.json['message']).toMatch(/1000 .*1000 registered.*activation-tier/);

    await fx.ssm(region).send(new UpdateServiceSettingCommand({ SettingId: TIER, SettingValue: 'advanced' }));
    expect((await register(fx.emulator.url, { activationId: id, activationCode: code })).status).toBe(200);
    // back to standard is refused while the Region holds more than 1,000
    const downgrade = await rejection(fx.ssm(region).send(new ResetServiceSettingCommand({ SettingId: TIER })));
    expect(downgrade.message).toMatch(/1001 managed nodes/);
    expect(fx.emulator.state.tiers[region]).toBe('advanced');
  });

  it('refuses foreign nodes past the quota all at once, and bad seeding input by field', async () => {
    const post = (body: unknown) => fetch(`${fx.emulator.url}/emulator/foreign-nodes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const over = await post({ count: 1001, region: 'sa-east-1' });
    expect(over.status).toBe(400);
    expect(((await over.json()) as { __type: string }).__type).toBe('ManagedNodeQuotaExceeded');
    const bad = await post({ count: 'many' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^count:/);
  });
});

describe('message expiry is capped like AWS IoT (here at 60 s instead of 604,800 s)', () => {
  it('a message published with a longer expiry reaches the broker with the cap', async () => {
    const probe = await MqttProbe.connect(MOSQUITTO, 5);
    try {
      await probe.subscribeAndSettle(`${root}/#`, `${root}/marker`);
      const arriving = probe.next(`${root}/activation`);
      await fx.iotData().send(new PublishCommand({ topic: `${root}/activation`, qos: 1, retain: true, messageExpiry: 30 * 86_400, payload: Buffer.from('{}') }));
      const message = await arriving;
      expect(message.expiry).toBeLessThanOrEqual(60);
      expect(message.expiry).toBeGreaterThan(50);
    } finally {
      await probe.close();
    }
  });
});

describe('HTTP topic rule destinations', () => {
  let server: Server;
  let confirmationUrl: string;
  const received: { headers: IncomingMessage['headers']; url: string; body: Record<string, string> }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, url: req.url ?? '', body: JSON.parse(text) as Record<string, string> });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    confirmationUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/acks`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the DestinationConfirmation message; the token confirms it once; Get tells the status', async () => {
    const iot = fx.iot();
    const created = (await iot.send(new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl } } }))).topicRuleDestination!;
    expect(created.status).toBe('IN_PROGRESS');
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toHaveLength(1);
    const message = received[0]!;
    expect(message.headers['x-amz-rules-engine-message-type']).toBe('DestinationConfirmation');
    expect(message.body).toMatchObject({ arn: created.arn, messageType: 'DestinationConfirmation' });
    expect(message.body['enableUrl']).toBe(`${fx.emulator.url}/confirmdestination/${message.body['confirmationToken']}`);
    expect(message.url).toContain('confirmationToken=');

    await iot.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: message.body['confirmationToken'] }));
    const got = (await iot.send(new GetTopicRuleDestinationCommand({ arn: created.arn }))).topicRuleDestination!;
    expect(got).toMatchObject({ arn: created.arn, status: 'ENABLED', httpUrlProperties: { confirmationUrl } });
    expect(fx.emulator.state.topicRuleDestinations).toEqual({ total: 1, enabled: 1 });

    const wrong = await rejection(iot.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: 'not-a-token' })));
    expect(wrong.name).toBe('InvalidRequestException');
    const missing = await rejection(iot.send(new GetTopicRuleDestinationCommand({ arn: created.arn!.replace(/[0-9a-f]{4}$/, '0000') })));
    expect(missing.name).toBe('UnauthorizedException');
  });
});
