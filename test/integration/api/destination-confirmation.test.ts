/**
 * The ack rule's HTTP destination, confirmed end to end: the emulator's AWS IoT creates the destination
 * and posts its DestinationConfirmation message to POST /v1/acks of a real orchestrator (no API token, as
 * AWS IoT sends none); the orchestrator confirms it with ConfirmTopicRuleDestination once, through the
 * unmodified SDK. Never counted as an ack; the token reaches no log and no metric.
 */
import { CreateTopicRuleDestinationCommand, GetTopicRuleDestinationCommand, IoTClient } from '@aws-sdk/client-iot';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/app.js';
import { createLogger } from '../../../src/adapters/logger.js';
import { Metrics } from '../../../src/adapters/metrics.js';
import type { ApiToken, Config } from '../../../src/config.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { Keys } from '../../../src/redis/keys.js';
import { deleteMatching } from '../../../src/devtools/delete-keys.js';
import { LogCapture } from '../pipeline/support/log-capture.js';
import { MOSQUITTO_URL, testConfig } from '../pipeline/support/test-config.js';

const LINE = 'line-token-destination-test';
const TOKENS: ApiToken[] = [{ name: 'line', sha256: createHash('sha256').update(LINE).digest('hex'), role: 'line', sites: ['*'] }];
let config: Config;
let emulator: RunningEmulator;
let app: App;
let iot: IoTClient;
let capture: Server;
const captured: Record<string, string>[] = [];
const logs = new LogCapture();
const metrics = new Metrics();

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const confirmCalls = () => emulator.state.operations['iot.ConfirmTopicRuleDestination']?.calls ?? 0;
const statusOf = async (arn: string) => (await iot.send(new GetTopicRuleDestinationCommand({ arn }))).topicRuleDestination!.status;

beforeAll(async () => {
  config = { ...testConfig({ sites: [{ id: 'plant-d', maxBatchSize: 10 }] }), apiTokens: TOKENS };
  emulator = await startEmulator({ mqttUrl: MOSQUITTO_URL });
  Object.assign(process.env, emulator.env);
  iot = new IoTClient({ maxAttempts: 1 });
  app = await createApp(config, { roles: ['api'], logger: createLogger('debug', logs), metrics });
  await app.start();
  // a stand-in confirmation URL that keeps the message, so the test can replay it
  capture = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      captured.push(JSON.parse(text) as Record<string, string>);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', () => resolve()));
});

afterAll(async () => {
  iot?.destroy();
  await app?.stop();
  await emulator?.close();
  await new Promise<void>((resolve) => capture.close(() => resolve()));
  await deleteMatching(config.redisUrl, new Keys(config.keyPrefix).everything);
});

async function until(done: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('AWS IoT destination confirmation at POST /v1/acks', () => {
  it('confirms the destination AWS IoT created for the ack URL, once, and counts no ack', async () => {
    const created = await iot.send(new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: `${app.url}/v1/acks` } } }));
    const arn = created.topicRuleDestination!.arn!;
    await until(async () => (await statusOf(arn)) === 'ENABLED', 'the destination to be enabled');
    expect(confirmCalls()).toBe(1);
    const text = await metrics.registry.metrics();
    expect(text).toContain('fleet_destination_confirmations_total{result="confirmed"} 1');
    expect(text).not.toMatch(/fleet_acks_total\{/);
    expect(logs.text).toContain(arn);
  });

  it('a replayed confirmation is not confirmed again; with a token and no header it takes the same way; forged ones are refused', async () => {
    const created = await iot.send(
      new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: `http://127.0.0.1:${(capture.address() as AddressInfo).port}/hook` } } }),
    );
    await until(() => captured.length === 1, 'the confirmation message');
    const message = captured[0]!;
    expect(message['arn']).toBe(created.topicRuleDestination!.arn);
    const before = confirmCalls();

    const first = await post('/v1/acks/?confirmationToken=x', message, { 'x-amz-rules-engine-message-type': 'DestinationConfirmation' });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ result: 'confirmed' });
    expect(await statusOf(message['arn']!)).toBe('ENABLED');

    const replay = await post('/v1/acks', message, { 'x-amz-rules-engine-message-type': 'DestinationConfirmation' });
    expect(await replay.json()).toEqual({ result: 'already-confirmed' });
    // the ack route, with a token and without the header, hands it over too: not an invalid ack
    const viaAck = await post('/v1/acks', message, { authorization: `Bearer ${LINE}` });
    expect(viaAck.status).toBe(200);
    expect(await viaAck.json()).toEqual({ result: 'already-confirmed' });
    expect(confirmCalls()).toBe(before + 1);

    const forged = { ...message, arn: message['arn']!.replace(/[0-9a-f]{6}$/, '000000') };
    expect(await (await post('/v1/acks', forged, { 'x-amz-rules-engine-message-type': 'DestinationConfirmation' })).json()).toEqual({ result: 'unknown-destination' });
    const bad = await post('/v1/acks', { messageType: 'DestinationConfirmation', arn: 'nope' }, { 'x-amz-rules-engine-message-type': 'DestinationConfirmation' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/arn.*confirmationToken/);
    expect(confirmCalls()).toBe(before + 1);

    // without the header and without a token it is an ordinary unauthenticated request
    expect((await post('/v1/acks', message)).status).toBe(401);

    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/fleet_acks_total\{/);
    expect(text).toContain('fleet_destination_confirmations_total{result="already-confirmed"} 2');
    for (const token of captured.map((m) => m['confirmationToken']!)) {
      expect(logs.text).not.toContain(token);
      expect(text).not.toContain(token);
    }
  });
});
