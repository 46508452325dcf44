/**
 * `fleet-enroll agent` as a child process against Mosquitto and the emulator: credentials are published
 * through the emulator's IoT data plane (unmodified SDK client) onto the real broker; the registration
 * command is a stand-in script that registers through the emulator's registration route.
 */
import '../../../src/node-warnings.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { CreateActivationCommand, DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIALS, startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { MQTT_URL, REPO, runCli, TopicRecorder, uniqueId, waitFor, type Child } from './helpers.js';

const REGION = 'us-east-1';
let emulator: RunningEmulator;
let ssm: SSMClient;
let iotData: IoTDataPlaneClient;
let dir: string;
const children: Child[] = [];
const retainedTopics: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ mqttUrl: MQTT_URL });
  const clientConfig = { endpoint: emulator.url, region: REGION, credentials: { ...DEFAULT_CREDENTIALS } }; // a copy: the SDK writes into its credentials object
  ssm = new SSMClient(clientConfig);
  iotData = new IoTDataPlaneClient(clientConfig);
  dir = await mkdtemp(join(tmpdir(), 'fleet-agent-it-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
});

afterAll(async () => {
  // leave nothing retained on the shared broker
  for (const topic of retainedTopics) {
    await iotData.send(new PublishCommand({ topic, qos: 1, retain: true, payload: new Uint8Array() }));
  }
  ssm.destroy();
  iotData.destroy();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

interface Device {
  thing: string;
  site: string;
  credentialsTopic: string;
  ackTopic: string;
  registrationFile: string;
  countFile: string;
  stateFile: string;
}

function newDevice(): Device {
  const site = uniqueId('agent-it');
  const thing = uniqueId('edge');
  return {
    thing,
    site,
    credentialsTopic: `fleet/enroll/${site}/${thing}/activation`,
    ackTopic: `fleet/enroll/${site}/${thing}/ack`,
    registrationFile: join(dir, `${thing}.registration`),
    countFile: join(dir, `${thing}.count`),
    stateFile: join(dir, `${thing}.state.json`),
  };
}

function startAgent(device: Device, ...extra: string[]): Child {
  const fixture = join(REPO, 'test/fixtures/emulator-register.mjs');
  const command = [
    `"${process.execPath}"`,
    `"${fixture}"`,
    `--url ${emulator.url}`,
    '--code {code} --id {id} --hostname {thingName}',
    `--registration-file "${device.registrationFile}"`,
    `--count-file "${device.countFile}"`,
  ].join(' ');
  const child = runCli([
    'agent',
    '--thing', device.thing,
    '--site', device.site,
    '--mqtt-url', MQTT_URL,
    '--register-command', command,
    '--registration-file', device.registrationFile,
    '--state-file', device.stateFile,
    ...extra,
  ]);
  children.push(child);
  return child;
}

async function createActivation(): Promise<{ id: string; code: string }> {
  const answer = await ssm.send(new CreateActivationCommand({ IamRole: 'SSMServiceRole', RegistrationLimit: 2, DefaultInstanceName: uniqueId('agent-it') }));
  return { id: answer.ActivationId ?? '', code: answer.ActivationCode ?? '' };
}

async function publishCredentials(device: Device, activation: { id: string; code: string }, deliveryId: string): Promise<void> {
  const message = {
    v: 1,
    deliveryId,
    deviceId: device.thing,
    siteId: device.site,
    batchId: 'b-1',
    activationId: activation.id,
    activationCode: activation.code,
    region: REGION,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
  retainedTopics.push(device.credentialsTopic);
  await iotData.send(
    new PublishCommand({ topic: device.credentialsTopic, qos: 1, retain: true, payload: new TextEncoder().encode(JSON.stringify(message)) }),
  );
}

async function invocations(device: Device): Promise<number> {
  return (await readFile(device.countFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
}

async function nodesOf(activationId: string): Promise<string[]> {
  const answer = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'ActivationIds', Values: [activationId] }] }));
  return (answer.InstanceInformationList ?? []).map((n) => n.InstanceId ?? '');
}

describe('fleet-enroll agent', () => {
  it('registers once, acks with the node id, and only re-acks a redelivered message', async () => {
    const device = newDevice();
    const acks = await TopicRecorder.start(device.ackTopic);
    try {
      const agent = startAgent(device);
      const activation = await createActivation();
      await publishCredentials(device, activation, 'd-1');

      const first = await waitFor('the registered ack', () => acks.messages[0]);
      const [node] = await nodesOf(activation.id);
      expect(node).toMatch(/^mi-[0-9a-f]{17}$/);
      expect(first.body).toEqual({ v: 1, deliveryId: 'd-1', activationId: activation.id, status: 'registered', managedNodeId: node });

      // the same message again (what a reconnect or a re-run delivery job produces)
      await publishCredentials(device, activation, 'd-1');
      const second = await waitFor('the re-sent ack', () => acks.messages[1]);
      expect(second.body).toEqual(first.body);
      expect(await invocations(device)).toBe(1);
      expect(await nodesOf(activation.id)).toEqual([node]);

      agent.process.kill('SIGTERM');
      expect(await agent.exited).toBe(0);
      expect(agent.stderr + agent.stdout).not.toContain(activation.code);

      // restarted with --once: the retained message arrives again, the state file says it is done
      const again = startAgent(device, '--once');
      expect(await again.exited).toBe(0);
      expect(again.stdout.trim()).toBe(node);
      expect(acks.messages).toHaveLength(3);
      expect(await invocations(device)).toBe(1);
      expect(await nodesOf(activation.id)).toEqual([node]);
    } finally {
      await acks.close();
    }
  });

  it('acks failed when registration is refused, without the code in its output', async () => {
    const device = newDevice();
    const acks = await TopicRecorder.start(device.ackTopic);
    try {
      const agent = startAgent(device);
      const activation = await createActivation();
      const wrong = { id: activation.id, code: `${activation.code.slice(0, 10)}WRONG-CODE-123456` };
      await publishCredentials(device, wrong, 'd-wrong');

      const ack = await waitFor('the failed ack', () => acks.messages[0]);
      expect(ack.body).toMatchObject({ v: 1, deliveryId: 'd-wrong', activationId: activation.id, status: 'failed' });
      expect(String(ack.body?.error)).toMatch(/registration command exited with status 1: .*InvalidActivationCode/);
      expect(JSON.stringify(ack.body)).not.toContain(wrong.code);
      expect(await invocations(device)).toBe(1);
      expect(await nodesOf(activation.id)).toEqual([]);

      agent.process.kill('SIGTERM');
      await agent.exited;
      expect(agent.stderr).toContain('registration failed for delivery d-wrong');
      expect(agent.stderr + agent.stdout).not.toContain(wrong.code);
      expect(agent.stderr).toContain('[REDACTED]');
    } finally {
      await acks.close();
    }
  });

  it('refuses bad flags with one line and exit 2', async () => {
    const child = runCli(['agent', '--thing', 'bad/thing', '--site', 's', '--mqtt-url', MQTT_URL]);
    expect(await child.exited).toBe(2);
    expect(child.stderr.trim().split('\n')).toEqual(['fleet-enroll agent: --thing: must be 1-128 of [a-zA-Z0-9:_-] (AWS IoT thing name)']);
  });
});
