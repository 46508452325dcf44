/**
 * The device agent with the real orchestrator: `fleet-enroll agent` (child process) on Mosquitto, the
 * pipeline's roles from createApp on a unique Redis prefix and topic root, the emulator reached through
 * the unmodified SDK. One enrolled device ends `registered` with the agent's node; the same credentials
 * message delivered again does not register it a second time.
 */
import '../../../src/node-warnings.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import type { Config } from '../../../src/config.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { Keys } from '../../../src/redis/keys.js';
import { testConfig } from '../pipeline/support/test-config.js';
import { MQTT_URL, REPO, runCli, TopicRecorder, uniqueId, waitFor, type Child } from './helpers.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';

let config: Config;
let emulator: RunningEmulator;
let app: App;
let dir: string;
let agent: Child | undefined;
const site = uniqueId('agent-e2e');
const thing = uniqueId('edge');

beforeAll(async () => {
  config = testConfig({ sites: [{ id: site, maxBatchSize: 10 }] });
  emulator = await startEmulator({ mqttUrl: MQTT_URL, nodeQuota: 'unlimited' });
  // the orchestrator's SDK clients find the emulator the way they find AWS: through the environment
  Object.assign(process.env, emulator.env);
  app = await createApp(config, { roles: ['intake', 'activation', 'delivery', 'ack', 'reconcile'], logger: createLogger('warn'), metrics: new Metrics() });
  await app.start();
  dir = await mkdtemp(join(tmpdir(), 'fleet-agent-e2e-'));
});

afterAll(async () => {
  agent?.process.kill('SIGKILL');
  await app.stop();
  await emulator.close();
  await deleteMatching(config.redisUrl, new Keys(config.keyPrefix).everything);
  await rm(dir, { recursive: true, force: true });
});

describe('fleet-enroll agent with the orchestrator', () => {
  it('ends registered, and a second delivery of the same message does not register it twice', async () => {
    const registrationFile = join(dir, 'registration');
    const countFile = join(dir, 'count');
    const credentialsTopic = config.topics.credentials.replace('{siteId}', site).replace('{thingName}', thing);
    const credentials = await TopicRecorder.start(credentialsTopic);
    const acks = await TopicRecorder.start(config.topics.ack.replace('{siteId}', site).replace('{thingName}', thing));
    try {
      const command = `"${process.execPath}" "${join(REPO, 'test/fixtures/emulator-register.mjs')}" --url ${emulator.url} --code {code} --id {id} --hostname {thingName} --registration-file "${registrationFile}" --count-file "${countFile}"`;
      agent = runCli([
        'agent', '--thing', thing, '--site', site, '--mqtt-url', MQTT_URL,
        '--topic-credentials', config.topics.credentials, '--topic-ack', config.topics.ack,
        '--register-command', command, '--registration-file', registrationFile, '--state-file', join(dir, 'state.json'),
      ]);
      await waitFor('the agent to subscribe', () => agent?.stderr.includes('waiting for credentials'));

      expect(await app.services.enroll([{ deviceId: 'SN-E2E-1', siteId: site, thingName: thing, attributes: {}, reenroll: false }])).toEqual({
        accepted: 1,
        duplicates: 0,
      });
      const device = await waitFor('the device to be registered', async () => {
        const view = await app.services.device('SN-E2E-1');
        return view?.state === 'registered' ? view : undefined;
      }, 30_000);
      const ack = acks.messages[0]?.body;
      expect(ack).toMatchObject({ status: 'registered', managedNodeId: device.managedNodeId });
      expect(device.managedNodeId).toMatch(/^mi-[0-9a-f]{17}$/);
      expect(emulator.state.nodes.registered).toBe(1);

      // the orchestrator cleared the retained credentials after registration (an empty retained message)
      await waitFor('the credentials to be cleared', () => credentials.messages.some((m) => m.body === null));
      const delivered = credentials.messages.find((m) => m.body !== null)?.body;
      expect(delivered).toMatchObject({ deviceId: 'SN-E2E-1', siteId: site, activationId: device.activationId });

      // the same message once more, as a re-run delivery job would publish it
      const publisher = await mqtt.connectAsync(MQTT_URL);
      await publisher.publishAsync(credentialsTopic, JSON.stringify(delivered), { qos: 1 });
      await publisher.endAsync();
      await waitFor('the re-sent ack', () => acks.messages.length === 2);
      expect(acks.messages[1]?.body).toEqual(ack);
      expect((await readFile(countFile, 'utf8')).trim().split('\n')).toHaveLength(1);
      expect(emulator.state.nodes.registered).toBe(1);
      expect((await app.services.device('SN-E2E-1'))?.state).toBe('registered');
      expect(agent.stderr + agent.stdout).not.toContain(String((delivered as { activationCode: string }).activationCode));
    } finally {
      await credentials.close();
      await acks.close();
    }
  });
});
