/**
 * The path a real deployment takes: no AWS_ENDPOINT_URL_IOT_DATA_PLANE, so the publisher asks AWS IoT
 * for the account's data endpoint (DescribeEndpoint iot:Data-ATS) and publishes there over https. The
 * emulator runs in TLS mode (a self-signed certificate, trusted through AWS_CA_BUNDLE); SSM and IoT
 * are reached over https too, through the unmodified SDK.
 */
import { readFileSync } from 'node:fs';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { renderTopic } from '../../../src/domain/topics.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { Keys } from '../../../src/redis/keys.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';
import { MqttProbe } from '../emulator/mqtt-probe.js';
import { LogCapture } from './support/log-capture.js';
import { MOSQUITTO_URL, testConfig } from './support/test-config.js';

const ENDPOINT_VARS = ['AWS_ENDPOINT_URL_SSM', 'AWS_ENDPOINT_URL_IOT', 'AWS_ENDPOINT_URL_IOT_DATA_PLANE', 'AWS_CA_BUNDLE'] as const;
const saved = Object.fromEntries(ENDPOINT_VARS.map((v) => [v, process.env[v]]));
let config: Config;
let emulator: RunningEmulator;
let app: App;
let probe: MqttProbe;

beforeAll(async () => {
  emulator = await startEmulator({ mqttUrl: MOSQUITTO_URL, nodeQuota: 'unlimited', tls: true });
  Object.assign(process.env, emulator.env);
  delete process.env['AWS_ENDPOINT_URL_IOT_DATA_PLANE'];
  // AWS_CA_BUNDLE as a user would set it, read by the config
  const fromEnv = loadConfig({ env: { AWS_CA_BUNDLE: emulator.certFile! }, allowGeneratedSecretKey: true });
  config = { ...testConfig({ sites: [{ id: 'tls-1', maxBatchSize: 5 }], batchWindowMs: 100 }), awsCaBundle: fromEnv.awsCaBundle };
  probe = await MqttProbe.connect(MOSQUITTO_URL, 5);
  app = await createApp(config, { roles: ['intake', 'activation', 'delivery'], logger: createLogger('info', new LogCapture()), metrics: new Metrics() });
  await app.start();
});

afterAll(async () => {
  await app?.stop();
  await probe?.close();
  await emulator?.close();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await deleteMatching(config.redisUrl, new Keys(config.keyPrefix).everything);
});

describe('DescribeEndpoint and https, as against AWS', () => {
  it('activates over https and publishes the credentials at the endpoint DescribeEndpoint named', async () => {
    expect(emulator.url).toMatch(/^https:\/\//);
    expect(readFileSync(emulator.certFile!, 'utf8')).toContain('BEGIN CERTIFICATE');
    const topics = [0, 1, 2].map((i) => renderTopic(config.topics.credentials, { siteId: 'tls-1', thingName: `edge-tls-${i}` }));
    await probe.subscribeAndSettle(`${topics[0]!.split('/')[0]}/#`, `${topics[0]}-marker`);
    const arriving = topics.map((t) => probe.next(t));
    await app.services.enroll([0, 1, 2].map((i) => ({ deviceId: `tls-${i}`, siteId: 'tls-1', thingName: `edge-tls-${i}`, attributes: {}, reenroll: false })));
    const messages = await Promise.all(arriving);
    for (const [i, m] of messages.entries()) expect(JSON.parse(m.payload)).toMatchObject({ deviceId: `tls-${i}`, siteId: 'tls-1' });
    const ops = emulator.state.operations;
    expect(ops['iot.DescribeEndpoint']?.calls).toBe(1);
    expect(ops['ssm.CreateActivation']?.calls).toBe(1);
    expect(ops['iotdata.Publish']?.calls).toBeGreaterThanOrEqual(3);
    // clear what was retained on the shared broker
    const cleaner = await connectAsync(MOSQUITTO_URL, { protocolVersion: 5 });
    for (const topic of topics) await cleaner.publishAsync(topic, '', { qos: 1, retain: true });
    await cleaner.endAsync();
  });
});
